// Command steady measures what mqdeck's console costs per message at a
// steady rate (not a flood): the real binary in a 120x40 tmux pane, a
// local Mosquitto fed at -rate DRIVR messages per second, and the
// console process's CPU time (user + system, /proc/<pid>/stat) over a
// window after a warm-up, divided by the messages it counted in that
// window. Several binaries are run side by side, alternated, -rounds
// times; it prints every run and each binary's median.
//
//	go run ./bench/steady -rate 5000 -rounds 3 -mqdeck AFTER -before BEFORE
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/bench/benchkit"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
)

type options struct {
	rate          float64
	topics        int
	rounds        int
	warm, window  time.Duration
	after, before string
}

func main() {
	var o options
	flag.Float64Var(&o.rate, "rate", 5000, "messages per second")
	flag.IntVar(&o.topics, "topics", 1000, "systems the traffic spreads over")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds (each runs every binary once, in rotating order)")
	flag.DurationVar(&o.warm, "warmup", 5*time.Second, "traffic before the window")
	flag.DurationVar(&o.window, "window", 10*time.Second, "the measured window")
	flag.StringVar(&o.after, "mqdeck", "", "mqdeck binary (default: built from this tree)")
	flag.StringVar(&o.before, "before", "", "another binary to run side by side")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "steady: %v\n", err)
		os.Exit(1)
	}
}

// sample is one run: CPU per message and what the console kept up with.
type sample struct {
	usPerMsg, seen, cores float64
}

func run(o options) error {
	rig, err := benchkit.NewRig("steady", o.after)
	if err != nil {
		return err
	}
	defer rig.Close()
	bins := []string{rig.Bin}
	names := []string{"after"}
	if o.before != "" {
		bins, names = append(bins, o.before), append(names, "before")
	}
	fmt.Printf("machine: %s\n", benchkit.Machine())
	fmt.Printf("steady: console (120x40 tmux pane), %.0f msg/s DRIVR over %d systems, %s warm-up, %s window\n", o.rate, o.topics, o.warm, o.window)
	res := make([][]sample, len(bins))
	for r := 0; r < o.rounds; r++ {
		for k := range bins {
			i := (k + r) % len(bins)
			s, err := once(rig, bins[i], fmt.Sprintf("steady-%s-%d", names[i], r), o)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", names[i], r+1, err)
			}
			fmt.Printf("round %d %-6s: %5.1f µs CPU per message, console counted %.0f msg/s, %.2f cores\n", r+1, names[i], s.usPerMsg, s.seen, s.cores)
			res[i] = append(res[i], s)
		}
	}
	for i, name := range names {
		fmt.Printf("median %-6s: %5.1f µs CPU per message (%.0f msg/s counted)\n", name, median(res[i], func(s sample) float64 { return s.usPerMsg }), median(res[i], func(s sample) float64 { return s.seen }))
	}
	fmt.Printf("load average: %s\n", benchkit.LoadAvg())
	return nil
}

func once(rig *benchkit.Rig, bin, id string, o options) (sample, error) {
	con, err := benchkit.StartReadyConsole(rig.Broker, rig.Tmux, rig.Dir, bin, id, "--exit-after", "1000000000000")
	if err != nil {
		return sample{}, err
	}
	defer con.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub, err := benchkit.DialRaw(ctx, rig.Broker.Addr(), id+"-pub")
	if err != nil {
		return sample{}, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = sim.Flood(ctx, pub, sim.FloodConfig{Rate: o.rate, Size: 280, Topics: o.topics, Platform: sim.PlatformDRIVR})
		_ = pub.Close()
	}()
	defer func() { cancel(); <-done }()
	time.Sleep(o.warm)
	n0, err := con.Total()
	if err != nil {
		return sample{}, fmt.Errorf("count: %w", err)
	}
	c0, err := cpuTime(con.PID)
	if err != nil {
		return sample{}, err
	}
	t0 := time.Now()
	time.Sleep(o.window)
	c1, err := cpuTime(con.PID)
	if err != nil {
		return sample{}, err
	}
	el := time.Since(t0)
	n1, err := con.Total()
	if err != nil {
		return sample{}, fmt.Errorf("count: %w", err)
	}
	if n1 <= n0 {
		return sample{}, fmt.Errorf("the console counted nothing in the window (%.0f then %.0f)", n0, n1)
	}
	cpu := c1 - c0
	return sample{usPerMsg: cpu.Seconds() * 1e6 / (n1 - n0), seen: (n1 - n0) / el.Seconds(), cores: cpu.Seconds() / el.Seconds()}, nil
}

// cpuTime is the user + system time of pid and its threads.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu time: %w", err)
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("cpu time: short /proc/%d/stat", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("cpu time: /proc/%d/stat: %q %q", pid, f[11], f[12])
	}
	const hz = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / hz, nil
}

func median(s []sample, f func(sample) float64) float64 {
	v := make([]float64, len(s))
	for i := range s {
		v[i] = f(s[i])
	}
	sort.Float64s(v)
	if len(v) == 0 {
		return 0
	}
	return v[len(v)/2]
}
