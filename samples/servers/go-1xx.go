// Loopback-only Go net/http origin for the interim samples (standard library only).
//
// usage: go run go-1xx.go PORT
//
// Every request: a Link header, w.WriteHeader(103) (Go >= 1.19 writes it as
// an interim response and keeps the header map), 50 ms later the 200 with a
// Content-Length body. net/http does not look at the request's version before
// writing a 1xx: to an HTTP/1.0 request it writes "HTTP/1.0 103 Early Hints"
// all the same. Exits once its first connection has closed.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

func earlyHints(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Link", "</style.css>; rel=preload; as=style")
	w.WriteHeader(http.StatusEarlyHints)
	time.Sleep(50 * time.Millisecond)
	body := "<!doctype html><link rel=stylesheet href=/style.css>\n"
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, body)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-1xx PORT")
		os.Exit(2)
	}
	addr := "127.0.0.1:" + os.Args[1]
	srv := &http.Server{
		Addr:    addr,
		Handler: http.HandlerFunc(earlyHints),
		// one connection per run: exit when it is gone
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateClosed {
				go func() { time.Sleep(50 * time.Millisecond); os.Exit(0) }()
			}
		},
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("go-1xx listening on", addr)
	srv.Serve(ln)
}
