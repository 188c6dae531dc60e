// Command vm-parse-bench times VictoriaMetrics' Prometheus text parser
// (lib/protoparser/prometheus, Debian's golang-github-victoriametrics-victoriametrics-dev)
// on one plain-text file held in memory: the peer side of scripts/compare-vm.sh.
//
// Each run unmarshals the whole file into a reused Rows value (the parser's steady
// state: no allocation once its buffers have grown). It prints the median run as
//
//	bytes=N rows=N MB/s=X ns/row=Y
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/VictoriaMetrics/VictoriaMetrics/lib/protoparser/prometheus"
)

func main() {
	runs := flag.Int("runs", 5, "timed runs after one warm-up; the median is printed")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: vm-parse-bench [-runs N] FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	text := string(data)
	var rows prometheus.Rows
	failed := 0
	onError := func(string) { failed++ }
	rows.UnmarshalWithErrLogger(text, onError) // warm-up: buffers grow to their final size
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "%s: VictoriaMetrics rejected %d lines\n", flag.Arg(0), failed)
	}
	count := len(rows.Rows)
	seconds := make([]float64, 0, *runs)
	for i := 0; i < *runs; i++ {
		start := time.Now()
		rows.UnmarshalWithErrLogger(text, onError)
		seconds = append(seconds, time.Since(start).Seconds())
	}
	sort.Float64s(seconds)
	median := seconds[len(seconds)/2]
	if len(seconds)%2 == 0 {
		median = (seconds[len(seconds)/2-1] + seconds[len(seconds)/2]) / 2
	}
	fmt.Printf("bytes=%d rows=%d MB/s=%.1f ns/row=%.2f\n", len(data), count,
		float64(len(data))/median/1e6, median*1e9/float64(count))
}
