package setup

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
)

// kibanaFS holds the saved objects copied by tools/genfields from
// module/*/_meta/kibana/8/*.ndjson (kibana/<module>/) and dashboards/*.ndjson
// (kibana/netbeat/). Those source files are what users customise.
//
//go:embed kibana/*/*.ndjson
var kibanaFS embed.FS

// Object is one Kibana saved object (one NDJSON line).
type Object struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Attributes json.RawMessage `json:"attributes"`
	References []Reference     `json:"references"`
	// Raw is the object's line as stored.
	Raw []byte `json:"-"`
	// File is the embedded file the object comes from (kibana/<module>/<name>.ndjson).
	File string `json:"-"`
}

// Reference is a saved object's reference to another one.
type Reference struct {
	Name string `json:"name"`
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Objects returns every embedded saved object, in file then line order.
func Objects() ([]Object, error) { return ReadObjects(kibanaFS, "kibana") }

// ReadObjects parses every */*.ndjson file under root of fsys.
func ReadObjects(fsys fs.FS, root string) ([]Object, error) {
	files, err := fs.Glob(fsys, path.Join(root, "*", "*.ndjson"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Object
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for n := 1; sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var o Object
			if err := json.Unmarshal(line, &o); err != nil {
				return nil, errorf("parsing %s line %d failed: %w", f, n, err)
			}
			o.Raw, o.File = append([]byte(nil), line...), f
			out = append(out, o)
		}
	}
	return out, nil
}

// Dashboard returns the dashboard id and every object it references
// (transitively, index patterns excluded unless embedded), dependencies
// first, as NDJSON ready for Kibana's saved-objects import API.
func Dashboard(id string) ([]byte, error) {
	objs, err := Objects()
	if err != nil {
		return nil, err
	}
	byID := map[string]Object{}
	for _, o := range objs {
		byID[o.Type+"/"+o.ID] = o
	}
	d, ok := byID["dashboard/"+id]
	if !ok {
		return nil, errorf("no embedded dashboard %q (netbeat export dashboard --list shows them)", id)
	}
	var b bytes.Buffer
	seen := map[string]bool{}
	var add func(o Object)
	add = func(o Object) {
		key := o.Type + "/" + o.ID
		if seen[key] {
			return
		}
		seen[key] = true
		for _, r := range o.References {
			if dep, ok := byID[r.Type+"/"+r.ID]; ok {
				add(dep)
			}
		}
		b.Write(o.Raw)
		b.WriteByte('\n')
	}
	add(d)
	return b.Bytes(), nil
}

// Materialize writes the embedded objects to dir in the layout libbeat's
// dashboards loader reads (setup.dashboards.directory): dir/7/<type>/<id>.json,
// one object per file; the loader follows each dashboard's references to
// dir/7/<type>/<id>.json and posts them to /api/saved_objects/_import.
// libbeat always reads the "7" folder; the objects themselves are migrated
// by Kibana 8 on import.
func Materialize(dir string) error {
	objs, err := Objects()
	if err != nil {
		return err
	}
	for _, o := range objs {
		d := filepath.Join(dir, "7", o.Type)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return errorf("creating %s failed: %w", d, err)
		}
		f := filepath.Join(d, o.ID+".json")
		if err := os.WriteFile(f, append(o.Raw, '\n'), 0o644); err != nil {
			return errorf("writing %s failed: %w", f, err)
		}
	}
	return nil
}
