// Copyright 2026 The Colony Authors.
//
// http_hello: the Go peer of bench/run_http_bench.sh. The standard
// library's net/http serving TechEmpower-style /plaintext and /json, the
// same bodies and content types as Colony's and nginx's.
//
// Usage: http_hello --listen=HOST:PORT [--workers=N]
//
// --workers sets GOMAXPROCS. Once bound it prints "listening on HOST:PORT".
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
)

var (
	helloText = []byte("Hello, World!")
	helloJSON = []byte(`{"message":"Hello, World!"}`)
)

func plaintext(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	h["Server"] = []string{"go"}
	w.Write(helloText)
}

func jsonHello(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Server"] = []string{"go"}
	w.Write(helloJSON)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	workers := flag.Int("workers", 1, "GOMAXPROCS")
	flag.Parse()
	runtime.GOMAXPROCS(*workers)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/plaintext", plaintext)
	mux.HandleFunc("/json", jsonHello)
	fmt.Printf("listening on %s\n", ln.Addr())
	os.Stdout.Sync()
	if err := http.Serve(ln, mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
