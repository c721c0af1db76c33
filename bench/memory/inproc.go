package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/mqdeck/mqdeck/bench/benchkit"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// chanBus hands what sim.Flood publishes to the pump as a transport would:
// every message gets its own topic string and payload bytes, received now.
type chanBus struct {
	ctx context.Context
	out chan<- mqttconn.Message
}

func (b chanBus) Publish(topic string, payload []byte, _ byte, _ bool, props *mqttconn.Props) error {
	m := mqttconn.Message{
		Topic:    string(append([]byte(nil), topic...)),
		Payload:  append([]byte(nil), payload...),
		Props:    props,
		Received: time.Now(),
	}
	select {
	case b.out <- m:
		return nil
	case <-b.ctx.Done():
		return b.ctx.Err()
	}
}

func (chanBus) Subscribe(string, func(mqttconn.Message)) error { return nil }

// inproc runs the same flood through the real pump into a store with the
// default caps in this process (no broker, no screen), then reports the
// live heap after a GC and writes a heap profile: what the store retains.
func inproc(n, topics, size int, heapPath string) error {
	scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: sim.DefaultSlug})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	in := make(chan mqttconn.Message, 65536)
	floodErr := make(chan error, 1)
	go func() {
		defer close(in)
		_, err := sim.Flood(ctx, chanBus{ctx: ctx, out: in}, sim.FloodConfig{N: n, Size: size, Topics: topics, Platform: sim.PlatformDRIVR})
		floodErr <- err
	}()
	store := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
	p := ingest.NewBatcher(ingest.BatchConfig{Messages: in, Ingest: ingest.Config{Scheme: scheme}})
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	start := time.Now()
	p.Run(ctx, func(b ingest.Batch) {
		for items := range b.All() {
			store.Apply(items)
		}
	})
	el := time.Since(start)
	if err := <-floodErr; err != nil {
		return fmt.Errorf("flood: %w", err)
	}
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st, err := benchkit.ProcStatus(0, "VmRSS", "VmHWM")
	if err != nil {
		return err
	}
	tot := store.Totals()
	fmt.Printf("machine: %s\n", benchkit.Machine())
	fmt.Printf("in process: %d DRIVR messages over %d systems, pump and store (default caps), %v (%.0f msg/s)\n",
		tot.Messages, topics, el.Round(time.Millisecond), float64(tot.Messages)/el.Seconds())
	fmt.Printf("held: %d systems, %d components, %d series, %d events, %d log entries\n",
		tot.Systems, tot.Components, tot.Series, tot.Events, tot.Log)
	fmt.Printf("live heap after GC %.1f MiB (%.1f at start), RSS %.1f MiB, peak RSS %.1f MiB, GC cycles %d\n",
		float64(ms.HeapAlloc)/(1<<20), float64(base.HeapAlloc)/(1<<20),
		float64(st["VmRSS"])/1024, float64(st["VmHWM"])/1024, ms.NumGC-base.NumGC)
	if heapPath != "" {
		f, err := os.Create(heapPath)
		if err != nil {
			return err
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("heap profile: %w", err)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	runtime.KeepAlive(store)
	return nil
}
