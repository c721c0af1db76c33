// Command memory floods mqdeck's console (the real binary, 120x40 tmux
// pane, default caps) with 1M DRIVR messages spread over 10k systems
// through a local Mosquitto, and reports its resident memory as it goes,
// right before it exits (--exit-after), and its peak.
//
//	go run ./bench/memory -n 1000000 -topics 10000 -rate 40000
//
// With -inproc it runs the same flood through the pump into a store in its
// own process instead, and reports (and profiles, -heap) the live heap:
//
//	go run ./bench/memory -inproc -heap /tmp/heap.pprof
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/mqdeck/mqdeck/bench/benchkit"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
)

func main() {
	n := flag.Int("n", 1_000_000, "messages")
	topics := flag.Int("topics", 10_000, "systems the flood spreads over")
	rate := flag.Float64("rate", 40_000, "messages per second (0: as fast as the broker takes them)")
	size := flag.Int("size", 280, "JSON payloads padded to this many bytes")
	bin := flag.String("mqdeck", "", "mqdeck binary (default: built from this tree)")
	in := flag.Bool("inproc", false, "run the pump and store in this process (no broker, no screen) and report the live heap")
	heap := flag.String("heap", "", "with -inproc: write a heap profile after the flood to this file")
	flag.Parse()
	var err error
	if *in {
		err = inproc(*n, *topics, *size, *heap)
	} else {
		err = run(*n, *topics, *rate, *size, *bin)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "memory: %v\n", err)
		os.Exit(1)
	}
}

var droppedRE = regexp.MustCompile(`dropped (\d+)`)

func run(n, topics int, rate float64, size int, bin string) error {
	rig, err := benchkit.NewRig("memory", bin)
	if err != nil {
		return err
	}
	defer rig.Close()
	dir, bin, broker, t := rig.Dir, rig.Bin, rig.Broker, rig.Tmux
	// A huge --exit-after: the console stays up after the flood (so its
	// memory can be read at rest) and prints its drop count when it quits.
	con, err := benchkit.StartReadyConsole(broker, t, dir, bin, "memory-console", "--exit-after", "1000000000000")
	if err != nil {
		return err
	}
	defer con.Stop()
	idle, _, err := con.Memory()
	if err != nil {
		return err
	}
	fmt.Printf("machine: %s\n", benchkit.Machine())
	fmt.Printf("memory: %d DRIVR messages over %d systems at %.0f msg/s into the console (default caps); RSS at start %.1f MiB\n", n, topics, rate, idle)

	pub, err := benchkit.DialRaw(context.Background(), broker.Addr(), "memory-pub")
	if err != nil {
		return err
	}
	floodErr := make(chan error, 1)
	go func() {
		_, err := sim.Flood(context.Background(), pub, sim.FloodConfig{N: n, Rate: rate, Size: size, Topics: topics, Platform: sim.PlatformDRIVR})
		if cerr := pub.Close(); err == nil {
			err = cerr
		}
		floodErr <- err
	}()

	start := time.Now()
	fmt.Printf("%8s %10s %10s %12s\n", "elapsed", "RSS MiB", "peak MiB", "msgs")
	var flooded bool
	var last float64
	stable := time.Now()
	for time.Since(start) < 10*time.Minute {
		select {
		case err := <-floodErr:
			if err != nil {
				return fmt.Errorf("flood: %w", err)
			}
			flooded = true
		default:
		}
		time.Sleep(time.Second)
		total, _ := con.Total()
		rss, pk, err := con.Memory()
		if err != nil {
			return fmt.Errorf("the console exited: %w", err)
		}
		if int(time.Since(start).Seconds())%5 == 0 {
			fmt.Printf("%8s %10.1f %10.1f %12.0f\n", time.Since(start).Round(time.Second), rss, pk, total)
		}
		if total != last {
			last, stable = total, time.Now()
		}
		// Done when the flood is out and the count has not moved for 3 s
		// (everything applied, or the rest dropped and counted).
		if flooded && time.Since(stable) > 3*time.Second {
			break
		}
	}
	after, peak, err := con.Memory()
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	time.Sleep(30 * time.Second)
	settled, _, err := con.Memory()
	if err != nil {
		return err
	}
	_ = t.SendKeys(con.Session, "q")
	for i := 0; i < 50 && con.Alive(); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	stderr, _ := os.ReadFile(con.ErrFile)
	dropped := "?"
	if m := droppedRE.FindSubmatch(stderr); m != nil {
		dropped = string(m[1])
	}
	fmt.Printf("after %d messages (status bar %.0f, dropped %s, %.1f s): RSS %.1f MiB, 30 s later %.1f MiB, peak %.1f MiB\n",
		n, last, dropped, elapsed.Seconds()-3, after, settled, peak)
	return nil
}
