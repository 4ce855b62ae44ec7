// Package encodedtest tests plugins/sdk/shared on encoded events
// (beat/event members): applying arbitrary plugin answers to them. It is a
// package of its own, not shared's own tests, because a test of shared that
// imports beat/event would make `go mod tidy` in every plugin author's
// module (which imports the SDK, hence shared) pull in libbeat.
package encodedtest
