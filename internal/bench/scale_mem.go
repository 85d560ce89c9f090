package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memWatch measures the memory of this process while one job runs, the figure the scaling targets are
// about (the database server's memory is not included): the resident set from /proc/self (VmHWM after
// resetting the high-water mark through clear_refs, and 10 ms samples of VmRSS in case the kernel refuses
// the reset), and the Go heap (runtime/metrics: bytes in live and not yet swept objects), sampled.
type memWatch struct {
	baseRSS  float64 // MB resident after a forced GC, before the job
	hwmReset bool
	stop     chan struct{}
	done     sync.WaitGroup
	peakRSS  float64
	peakHeap float64
}

// memPeak is what a watch saw, in MB.
type memPeak struct {
	BaseRSS, PeakRSS, PeakHeap float64
	Exact                      bool // PeakRSS is the kernel's high-water mark, not only samples
}

func (m memPeak) String() string {
	how := "kernel high-water mark"
	if !m.Exact {
		how = "10 ms samples"
	}
	limit := "no GOMEMLIMIT"
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		limit = fmt.Sprintf("GOMEMLIMIT %.0f MB", float64(l)/(1<<20))
	}
	return fmt.Sprintf("peak RSS %.0f MB (%s; %.0f MB before the job), Go heap peak %.0f MB, %s", m.PeakRSS, how, m.BaseRSS, m.PeakHeap, limit)
}

// watchMemory starts sampling after a full GC returned what it could to the OS.
func watchMemory() *memWatch {
	runtime.GC()
	debug.FreeOSMemory()
	w := &memWatch{stop: make(chan struct{})}
	w.hwmReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	w.baseRSS = procStatusMB("VmRSS")
	w.done.Add(1)
	go w.sample()
	return w
}

func (w *memWatch) sample() {
	defer w.done.Done()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		metrics.Read(s)
		w.peakHeap = max(w.peakHeap, float64(s[0].Value.Uint64())/(1<<20))
		w.peakRSS = max(w.peakRSS, procStatusMB("VmRSS"))
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
	}
}

// end stops the watch and returns the peaks.
func (w *memWatch) end() memPeak {
	close(w.stop)
	w.done.Wait()
	p := memPeak{BaseRSS: w.baseRSS, PeakRSS: w.peakRSS, PeakHeap: w.peakHeap}
	if w.hwmReset {
		p.PeakRSS, p.Exact = max(p.PeakRSS, procStatusMB("VmHWM")), true
	}
	return p
}

// procStatusMB reads one "Vm…: N kB" line of /proc/self/status; 0 when unavailable (not Linux).
func procStatusMB(field string) float64 {
	return statusFieldMB("/proc/self/status", field)
}

// statusFieldMB reads "field: N kB" from a /proc/PID/status file, in MB; 0 when absent.
func statusFieldMB(path, field string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		if err != nil {
			return 0
		}
		return kb / 1024
	}
	return 0
}
