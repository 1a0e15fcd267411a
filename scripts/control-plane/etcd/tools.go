//go:build tools

// Package tools pins the etcd server main package built by control-plane.sh, so
// `go mod tidy` keeps its dependencies. It is never compiled (a main package
// cannot be imported); control-plane.sh runs `go build go.etcd.io/etcd/server/v3`.
package tools

import _ "go.etcd.io/etcd/server/v3"
