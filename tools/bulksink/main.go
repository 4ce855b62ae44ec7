// Command bulksink is a minimal Elasticsearch _bulk endpoint for central
// mode's throughput runs (scripts/bench-central.sh): it answers GET / (an
// 8.17 node), GET /_license and POST _bulk (every create action 201, or
// 409 for an _id it already stored) and prints how many documents it
// stored on SIGTERM. It stores ids only, not documents.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:19299", "listen address")
	flag.Parse()
	var mu sync.Mutex
	ids := map[string]struct{}{}
	dupes := 0
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		switch {
		case r.URL.Path == "/":
			_, _ = io.WriteString(w, `{"name":"bulksink","version":{"number":"8.17.0","build_flavor":"default"},"tagline":"You Know, for Search"}`)
		case r.URL.Path == "/_license":
			_, _ = io.WriteString(w, `{"license":{"status":"active","type":"basic"}}`)
		case r.URL.Path == "/_bulk" || bytes.HasSuffix([]byte(r.URL.Path), []byte("/_bulk")):
			var body io.Reader = r.Body
			if r.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(r.Body)
				if err != nil {
					http.Error(w, err.Error(), 400)
					return
				}
				body = zr
			}
			sc := bufio.NewScanner(body)
			sc.Buffer(make([]byte, 1<<20), 64<<20)
			var out bytes.Buffer
			out.WriteString(`{"took":1,"errors":false,"items":[`)
			action, n := true, 0
			mu.Lock()
			for sc.Scan() {
				if len(bytes.TrimSpace(sc.Bytes())) == 0 {
					continue // libbeat's bodies may hold blank lines
				}
				if action {
					var a map[string]struct {
						ID string `json:"_id"`
					}
					_ = json.Unmarshal(sc.Bytes(), &a)
					for _, v := range a {
						status := 201
						if _, ok := ids[v.ID]; ok && v.ID != "" {
							status = 409
							dupes++
						}
						ids[v.ID] = struct{}{}
						if n > 0 {
							out.WriteByte(',')
						}
						out.WriteString(`{"create":{"_id":` + strconv.Quote(v.ID) + `,"status":` + strconv.Itoa(status) + `}}`)
						n++
					}
				}
				action = !action
			}
			mu.Unlock()
			out.WriteString(`]}`)
			_, _ = w.Write(out.Bytes())
		case r.URL.Path == "/_count":
			mu.Lock()
			fmt.Fprintf(w, `{"count":%d,"duplicates":%d}`, len(ids), dupes)
			mu.Unlock()
		default:
			_, _ = io.WriteString(w, `{}`)
		}
	})
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, os.Interrupt)
		<-c
		mu.Lock()
		fmt.Printf("bulksink: %d documents, %d duplicates\n", len(ids), dupes)
		os.Exit(0)
	}()
	log.Fatal(http.ListenAndServe(*addr, nil))
}
