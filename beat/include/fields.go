// Package include registers netbeat's embedded fields.yml with libbeat's
// asset registry (used by `setup --index-management` and `export template`).
package include

import (
	_ "embed"

	"github.com/elastic/beats/v7/libbeat/asset"
)

//go:embed fields.yml
var fieldsYml string

func init() {
	if err := asset.SetFields("netbeat", "fields.yml", asset.BeatFieldsPri, encodedFields); err != nil {
		panic(err)
	}
}

func encodedFields() string {
	enc, err := asset.EncodeData(fieldsYml)
	if err != nil {
		panic(err)
	}
	return enc
}

// FieldsYML returns the raw fields.yml.
func FieldsYML() string { return fieldsYml }
