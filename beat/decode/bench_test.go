//go:build !integration

package decode

import "testing"

// BenchmarkDecode decodes each fixture frame; b.N frames per sub-benchmark.
func BenchmarkDecode(b *testing.B) {
	for _, f := range frames {
		b.Run(f.name, func(b *testing.B) {
			d, _ := New(f.link)
			data := mustHex(b, f.hex)
			c := ci(data, f.origLen)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				d.Decode(data, c)
			}
		})
	}
}
