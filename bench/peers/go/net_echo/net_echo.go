// Copyright 2026 The Colony Authors.
//
// net_echo: the Go peer of bench/run_net_bench.sh. A TCP echo server from
// the standard library's net package that writes back every byte it reads,
// one goroutine per connection.
//
// Usage: net_echo --listen=HOST:PORT [--workers=N]
//
// --workers sets GOMAXPROCS (the number of Ps running goroutines; the
// netpoller is shared). Go enables TCP_NODELAY on every TCP connection by
// default, as the Tokio and Colony servers do explicitly. Once bound it
// prints "listening on HOST:PORT" (the bound address).
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"time"
)

// echo copies everything the peer sends back to it until end of stream or
// an error (a reset from a client that went away is not reported). A plain
// read/write loop rather than io.Copy, which would try splice(2) from the
// socket into itself.
func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 64*1024)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func main() {
	listen := flag.String("listen", "", "address to listen on, HOST:PORT")
	workers := flag.Int("workers", 1, "GOMAXPROCS")
	flag.Parse()
	if *listen == "" || *workers < 1 || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: net_echo --listen=HOST:PORT [--workers=N]")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*workers)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "net_echo: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			// Out of descriptors or a connection reset before accept: keep
			// serving the connections already open, without spinning.
			fmt.Fprintf(os.Stderr, "net_echo: accept: %v\n", err)
			time.Sleep(time.Millisecond)
			continue
		}
		go echo(c)
	}
}
