// Package integration holds the plugin system's whole-binary integration
// tests (build tag integration): the netbeat binary, its built-in plugins
// re-executed as separate processes, a test plugin that fails on demand, on
// the bundled captures.
package integration
