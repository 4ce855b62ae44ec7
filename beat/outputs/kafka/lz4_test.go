package kafka

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/pierrec/lz4/v4"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The frame header is the one pierrec/lz4's writer makes for the same
// options (4 MiB independent blocks, no checksums).
func TestLZ4FrameHeader(t *testing.T) {
	var buf bytes.Buffer
	w := lz4.NewWriter(&buf)
	if err := w.Apply(lz4.BlockSizeOption(lz4.Block4Mb), lz4.ChecksumOption(false)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := buf.Bytes()[:len(lz4Header)]; !bytes.Equal(got, lz4Header[:]) {
		t.Fatalf("pierrec/lz4 header % x, lz4Header % x", got, lz4Header)
	}
}

// Every frame decodes, with pierrec/lz4's reader (franz-go's decompressor),
// to its input: empty, one byte, documents across block boundaries, and
// incompressible data stored as is.
func TestLZ4RoundTrip(t *testing.T) {
	doc := []byte(`{"@timestamp":"2026-12-01T22:00:00.000Z","network":{"community_id":"1:abc","transport":"tcp"},"source":{"ip":"10.0.0.1","port":443}}`)
	random := make([]byte, 2*lz4BlockSize+17)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	mixed := append(bytes.Repeat(doc, 1500), random[:lz4BlockSize+5]...)
	c := newLZ4Compressor()
	for name, src := range map[string][]byte{
		"empty": {}, "one byte": {7}, "documents": bytes.Repeat(doc, 2000),
		"random": random, "mixed": mixed, "one block": bytes.Repeat(doc, lz4BlockSize/len(doc)+1)[:lz4BlockSize],
	} {
		t.Run(name, func(t *testing.T) {
			var dst bytes.Buffer
			dst.WriteString("left over from the pool")
			out, codec := c.Compress(&dst, src)
			if codec != kgo.CodecLz4 {
				t.Fatalf("codec %v", codec)
			}
			got, err := io.ReadAll(lz4.NewReader(bytes.NewReader(out)))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !bytes.Equal(got, src) {
				t.Fatalf("round trip: %d bytes in, %d out", len(src), len(got))
			}
			dec, err := kgo.DefaultDecompressor().Decompress(out, kgo.CodecLz4)
			if err != nil || !bytes.Equal(dec, src) {
				t.Fatalf("franz-go's decompressor: %v (%d bytes)", err, len(dec))
			}
		})
	}
	if out, _ := c.Compress(new(bytes.Buffer), bytes.Repeat(doc, 2000)); len(out) > len(doc)*2000/8 {
		t.Errorf("documents compressed to %d of %d bytes", len(out), len(doc)*2000)
	}
}

func BenchmarkLZ4(b *testing.B) {
	doc := []byte(`{"@timestamp":"2026-12-01T22:00:00.000Z","network":{"community_id":"1:hbTdhCfu8iEOjuQXOIUkDLK0pYg=","transport":"tcp","type":"ipv4"},"source":{"ip":"10.0.0.1","port":443,"mac":"00-11-22-33-44-55"},"destination":{"ip":"10.0.0.2","port":51234}}`)
	src := bytes.Repeat(doc, 4096)
	franz, err := kgo.DefaultCompressor(kgo.Lz4Compression())
	if err != nil {
		b.Fatal(err)
	}
	for name, c := range map[string]kgo.Compressor{"netbeat": newLZ4Compressor(), "franz-go": franz} {
		b.Run(name, func(b *testing.B) {
			var dst bytes.Buffer
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				c.Compress(&dst, src)
			}
		})
	}
}
