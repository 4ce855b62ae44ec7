package setup

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
)

// fakeKibana implements the two Kibana endpoints libbeat's dashboards loader
// uses: GET /api/status (version) and POST /api/saved_objects/_import.
type fakeKibana struct {
	mu      sync.Mutex
	imports [][]map[string]any // objects of each import request
	queries []string
	other   []string
}

func (k *fakeKibana) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/status":
		_, _ = io.WriteString(w, `{"name":"kibana","version":{"number":"8.17.0","build_snapshot":false},"status":{"overall":{"level":"available"}}}`)
	case r.Method == http.MethodPost && r.URL.Path == "/api/saved_objects/_import":
		k.queries = append(k.queries, r.URL.RawQuery)
		f, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var objs []map[string]any
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
				var o map[string]any
				if err := json.Unmarshal(line, &o); err != nil {
					http.Error(w, "bad ndjson: "+err.Error(), http.StatusBadRequest)
					return
				}
				objs = append(objs, o)
			}
		}
		k.imports = append(k.imports, objs)
		_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "successCount": len(objs)})
	default:
		k.other = append(k.other, r.Method+" "+r.URL.Path)
		http.NotFound(w, r)
	}
}

// fakeES implements what `setup --index-management` calls: version,
// license, ILM policy and composable index template (GET 404, PUT records).
type fakeES struct {
	mu   sync.Mutex
	puts map[string][]byte
	reqs []string
}

func (e *fakeES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reqs = append(e.reqs, r.Method+" "+r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		_, _ = io.WriteString(w, `{"name":"fake","cluster_name":"fake","cluster_uuid":"x","version":{"number":"8.17.0","build_flavor":"default"},"tagline":"You Know, for Search"}`)
	case r.URL.Path == "/_license":
		_, _ = io.WriteString(w, `{"license":{"uid":"x","type":"basic","status":"active"}}`)
	case r.Method == http.MethodPut:
		body, _ := io.ReadAll(r.Body)
		if e.puts == nil {
			e.puts = map[string][]byte{}
		}
		e.puts[r.URL.Path] = body
		_, _ = io.WriteString(w, `{"acknowledged":true}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"type":"resource_not_found_exception"},"status":404}`)
	}
}

// mappingType returns the mapping type of a dotted field in the template.
func mappingType(tmpl map[string]any, field string) string {
	props := lookupMap(tmpl, "template", "mappings", "properties")
	parts := strings.Split(field, ".")
	for i, p := range parts {
		f, _ := props[p].(map[string]any)
		if f == nil {
			// libbeat may keep a dotted name as one key
			rest := strings.Join(parts[i:], ".")
			f, _ = props[rest].(map[string]any)
			if f == nil {
				return ""
			}
			typ, _ := f["type"].(string)
			return typ
		}
		if i == len(parts)-1 {
			typ, _ := f["type"].(string)
			return typ
		}
		props, _ = f["properties"].(map[string]any)
	}
	return ""
}

func lookupMap(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m, _ = m[p].(map[string]any)
	}
	return m
}
