// Command soak runs mqdeck's console (the real binary, in a 120x40 tmux
// pane) against a local Mosquitto fed by `mqdeck sim` at scale for a long
// time, and samples the console's resident memory every interval: it must
// stay flat at a steady fleet size.
//
//	go run ./bench/soak -duration 10m -every 30s -systems 2000 -rate 1
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/mqdeck/mqdeck/bench/benchkit"
)

func main() {
	duration := flag.Duration("duration", 10*time.Minute, "how long to run")
	every := flag.Duration("every", 30*time.Second, "sampling interval")
	systems := flag.Int("systems", 2000, "simulated DRIVR systems")
	rate := flag.Float64("rate", 1, "simulator rate multiplier (2000 systems x1 is about 5k msg/s)")
	bin := flag.String("mqdeck", "", "mqdeck binary (default: built from this tree)")
	console := flag.String("console", "", "console command to run instead of the mqdeck binary (e.g. a wrapper around bench/console)")
	flag.Parse()
	if err := run(*duration, *every, *systems, *rate, *bin, *console); err != nil {
		fmt.Fprintf(os.Stderr, "soak: %v\n", err)
		os.Exit(1)
	}
}

type sample struct {
	at        time.Duration
	rss, peak float64
	total     float64
}

func run(duration, every time.Duration, systems int, rate float64, bin, console string) error {
	rig, err := benchkit.NewRig("soak", bin)
	if err != nil {
		return err
	}
	defer rig.Close()
	dir, bin, broker, t := rig.Dir, rig.Bin, rig.Broker, rig.Tmux
	if console == "" {
		console = bin
	}
	con, err := benchkit.StartReadyConsole(broker, t, dir, console, "soak-console")
	if err != nil {
		return err
	}
	defer con.Stop()

	simCmd := exec.Command(bin, "sim", "--broker", broker.URL(), "--platforms", "drivr",
		"--systems", strconv.Itoa(systems), "--rate", fmt.Sprint(rate), "--duration", (duration + every).String())
	simCmd.Stdout, simCmd.Stderr = nil, nil
	simLog, err := os.Create(filepath.Join(dir, "sim.log"))
	if err != nil {
		return err
	}
	simCmd.Stdout, simCmd.Stderr = simLog, simLog
	if err := simCmd.Start(); err != nil {
		return fmt.Errorf("mqdeck sim: %w", err)
	}
	defer func() { _ = simCmd.Process.Kill(); _ = simCmd.Wait() }()

	fmt.Printf("machine: %s\n", benchkit.Machine())
	fmt.Printf("soak: console (DRIVR view, 120x40 tmux pane) fed by mqdeck sim --systems %d --rate %g for %v, sampled every %v\n",
		systems, rate, duration, every)
	fmt.Printf("%8s %10s %10s %12s %10s %s\n", "elapsed", "RSS MiB", "peak MiB", "msgs", "msg/s", "load")
	start := time.Now()
	var samples []sample
	prev := sample{}
	for time.Since(start) < duration {
		time.Sleep(time.Until(start.Add(time.Duration(len(samples)+1) * every)))
		if !con.Alive() {
			stderr, _ := os.ReadFile(con.ErrFile)
			return fmt.Errorf("the console exited: %s", stderr)
		}
		rss, peak, err := con.Memory()
		if err != nil {
			return err
		}
		total, _ := con.Total()
		s := sample{at: time.Since(start), rss: rss, peak: peak, total: total}
		rateNow := (s.total - prev.total) / (s.at - prev.at).Seconds()
		fmt.Printf("%8s %10.1f %10.1f %12.0f %10.0f %s\n", s.at.Round(time.Second), s.rss, s.peak, s.total, rateNow, benchkit.LoadAvg())
		samples = append(samples, s)
		prev = s
	}
	verdict(samples)
	return nil
}

// verdict compares the first and second half of the run after warm-up.
func verdict(s []sample) {
	if len(s) < 4 {
		fmt.Println("too few samples for a verdict")
		return
	}
	half := len(s) / 2
	maxOf := func(xs []sample) float64 {
		m := 0.0
		for _, x := range xs {
			m = max(m, x.rss)
		}
		return m
	}
	first, second := maxOf(s[1:half]), maxOf(s[half:])
	// Least-squares slope over the second half, MiB per minute.
	var sx, sy, sxx, sxy float64
	n := float64(len(s) - half)
	for _, x := range s[half:] {
		m := x.at.Minutes()
		sx, sy, sxx, sxy = sx+m, sy+x.rss, sxx+m*m, sxy+m*x.rss
	}
	slope := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	fmt.Printf("RSS max first half (after the first sample) %.1f MiB, second half %.1f MiB; slope over the second half %+.2f MiB/min; messages %.0f\n",
		first, second, slope, s[len(s)-1].total)
}
