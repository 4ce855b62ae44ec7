// Package file is netbeat's file output, output.netbeat_file: libbeat's
// file output options and documents, written a batch at a time, with packet
// bundles (beat/event.Bundle). beat/cmd routes output.file here when its
// codec is the default JSON codec (Fast).
package file

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/outputs"
	lbjson "github.com/elastic/beats/v7/libbeat/outputs/codec/json"
	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/file"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/netbeat/netbeat/beat/outputs/jsonenc"
)

// TypeName is the output type (`output.netbeat_file`).
const TypeName = "netbeat_file"

func init() {
	outputs.RegisterType(TypeName, makeFile)
}

// fileOutput writes events as lines of JSON to files rotated by libbeat's
// rotator.
type fileOutput struct {
	log      *logp.Logger
	path     string
	index    string // @metadata.beat: the beat name, as libbeat's file output
	observer outputs.Observer
	rotator  *file.Rotator
	fast     *jsonenc.Encoder
	codec    *lbjson.Encoder // for events the fast encoder refuses
	w        writer
}

func makeFile(_ outputs.IndexManager, info beat.Info, observer outputs.Observer, cfg *config.C) (outputs.Group, error) {
	fc, err := readConfig(cfg)
	if err != nil {
		return outputs.Fail(err)
	}
	out, err := newFileOutput(info, observer, fc)
	if err != nil {
		return outputs.Fail(err)
	}
	return outputs.Success(fc.Queue, -1, 0, nil, info.Logger, out)
}

func newFileOutput(info beat.Info, observer outputs.Observer, fc *fileConfig) (*fileOutput, error) {
	dir, err := fc.Path.Run(time.Now().UTC())
	if err != nil {
		return nil, fmt.Errorf("output.%s: path: %w", TypeName, err)
	}
	name := fc.Filename
	if name == "" {
		name = info.Beat
	}
	path := filepath.Join(dir, name)
	log := info.Logger.Named(TypeName)
	rot, err := file.NewFileRotator(path,
		file.MaxSizeBytes(fc.RotateEveryKb*1024),
		file.MaxBackups(fc.NumberOfFiles),
		file.Permissions(os.FileMode(fc.Permissions)),
		file.RotateOnStartup(fc.RotateOnStartup),
		file.WithLogger(info.Logger.Named("rotator").With(logp.Namespace("rotator"))),
	)
	if err != nil {
		return nil, fmt.Errorf("output.%s: opening %s: %w", TypeName, path, err)
	}
	out := &fileOutput{
		log: log, path: path, index: info.Beat, observer: observer, rotator: rot,
		fast:  jsonenc.New(info.Version),
		codec: lbjson.New(info.Version, lbjson.Config{}),
	}
	out.w = writer{rot: rot, lines: sizeModel{max: fc.RotateEveryKb * 1024}, st: observer, log: log}
	log.Infof("Initialized netbeat's file output (one write per batch). path=%v max_size_bytes=%v max_backups=%v permissions=%v",
		path, fc.RotateEveryKb*1024, fc.NumberOfFiles, os.FileMode(fc.Permissions))
	return out, nil
}

// Close closes the current file.
func (out *fileOutput) Close() error { return out.rotator.Close() }

func (out *fileOutput) String() string { return TypeName + "(" + out.path + ")" }
