package kafka

import (
	"bytes"
	"encoding/binary"
	"strings"
	"sync"

	"github.com/pierrec/lz4/v4"
	"github.com/twmb/franz-go/pkg/kgo"
)

// lz4BlockSize is pierrec/lz4's default, which franz-go's lz4 used: a batch
// (at most max_message_bytes, 1 MB by default) is one block. Kafka's Java
// producer writes 64 KiB blocks; each block starts without history, and
// 64 KiB blocks made netbeat's batches 18 % larger (237 against 200 MB for
// the 2 M-packet capture).
const lz4BlockSize = 4 << 20

// lz4Header is the LZ4 frame header netbeat writes: the magic number, FLG
// 0x60 (version 01, independent blocks, no block or content checksum, no
// content size), BD 0x70 (4 MiB blocks) and the header checksum, the second
// byte of xxh32(FLG BD) (TestLZ4FrameHeader checks it against pierrec/lz4's
// writer).
var lz4Header = [7]byte{0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73}

// lz4Compressor compresses produce batches into LZ4 frames as Kafka reads
// them. franz-go's own lz4 path uses pierrec/lz4's stream writer, which
// copies every batch into its block buffer and computes an xxh32 checksum of
// the whole content: together 0.3 µs of netbeat's CPU per packet event
// (BENCHMARKS.md, issue #12, fourth session). Kafka validates every batch with its CRC-32C anyway, so the
// frame carries no content checksum, and the blocks are compressed straight
// from franz-go's buffer.
type lz4Compressor struct {
	pool sync.Pool // *lz4.Compressor: its hash table is 16 KiB
}

func newLZ4Compressor() *lz4Compressor {
	return &lz4Compressor{pool: sync.Pool{New: func() any { return new(lz4.Compressor) }}}
}

// Compress implements kgo.Compressor.
func (c *lz4Compressor) Compress(dst *bytes.Buffer, src []byte, flags ...kgo.CompressFlag) ([]byte, kgo.CompressionCodecType) {
	blocks := (len(src) + lz4BlockSize - 1) / lz4BlockSize
	dst.Reset()
	dst.Grow(len(lz4Header) + blocks*(4+lz4.CompressBlockBound(lz4BlockSize)) + 4)
	out := append(dst.AvailableBuffer(), lz4Header[:]...)
	comp := c.pool.Get().(*lz4.Compressor)
	defer c.pool.Put(comp)
	for len(src) > 0 {
		block := src[:min(len(src), lz4BlockSize)]
		src = src[len(block):]
		at := len(out)
		room := out[at+4 : at+4+lz4.CompressBlockBound(len(block))]
		n, err := comp.CompressBlock(block, room)
		if err != nil {
			return nil, kgo.CodecError
		}
		if n == 0 || n >= len(block) { // incompressible: stored as is, high bit set
			out = binary.LittleEndian.AppendUint32(out, uint32(len(block))|1<<31) //nolint:gosec // ≤ 4 MiB
			out = append(out, block...)
			continue
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(n)) //nolint:gosec // ≤ 4 MiB
		out = out[:len(out)+n]
	}
	return binary.LittleEndian.AppendUint32(out, 0), kgo.CodecLz4 // end mark
}

// compressionOpts picks the codec, and for lz4 netbeat's compressor (kgo
// uses ProducerBatchCompression's codec only when no compressor is set).
func compressionOpts(cfg *franzConfig) []kgo.Opt {
	opts := []kgo.Opt{kgo.ProducerBatchCompression(compressionCodec(cfg))}
	if strings.EqualFold(cfg.Compression, "lz4") {
		opts = append(opts, kgo.WithCompressor(newLZ4Compressor()))
	}
	return opts
}
