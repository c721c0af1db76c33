// Command latency measures how long mqdeck's console takes to show the
// result of a key press while a flood arrives: the real binary in a 120x40
// tmux pane, a local Mosquitto fed at -rate messages per second, and for
// each trial `?` (help opens) then `?` again (help closes), timed from
// tmux send-keys to the first captured screen that shows the change. The
// figure includes tmux's own delivery and capture (a few ms).
//
//	go run ./bench/latency -rate 50000 -trials 30
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/mqdeck/mqdeck/bench/benchkit"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
)

func main() {
	rate := flag.Float64("rate", 50_000, "flood rate, messages per second")
	trials := flag.Int("trials", 30, "key presses of each kind")
	topics := flag.Int("topics", 10_000, "systems the flood spreads over")
	warm := flag.Duration("warmup", 5*time.Second, "flood this long before the first key")
	bin := flag.String("mqdeck", "", "mqdeck binary (default: built from this tree)")
	flag.Parse()
	if err := run(*rate, *trials, *topics, *warm, *bin); err != nil {
		fmt.Fprintf(os.Stderr, "latency: %v\n", err)
		os.Exit(1)
	}
}

const helpMark = "esc or ? to close"

var droppedRE = regexp.MustCompile(`dropped (\d+)`)

func run(rate float64, trials, topics int, warm time.Duration, bin string) error {
	rig, err := benchkit.NewRig("latency", bin)
	if err != nil {
		return err
	}
	defer rig.Close()
	dir, bin, broker, t := rig.Dir, rig.Bin, rig.Broker, rig.Tmux
	// A huge --exit-after only makes the console print its drop count at
	// the end.
	con, err := benchkit.StartReadyConsole(broker, t, dir, bin, "latency-console", "--exit-after", "1000000000000")
	if err != nil {
		return err
	}
	defer con.Stop()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub, err := benchkit.DialRaw(ctx, broker.Addr(), "latency-pub")
	if err != nil {
		return err
	}
	floodDone := make(chan sim.FloodStats, 1)
	go func() {
		st, _ := sim.Flood(ctx, pub, sim.FloodConfig{Rate: rate, Size: 280, Topics: topics, Platform: sim.PlatformDRIVR})
		_ = pub.Close()
		floodDone <- st
	}()
	fmt.Printf("machine: %s\n", benchkit.Machine())
	fmt.Printf("latency: console (120x40 tmux pane) under a %.0f msg/s DRIVR flood over %d systems; %d trials of '?' open and close\n", rate, topics, trials)
	time.Sleep(warm)
	before, _ := con.Total()

	var open, closeL []time.Duration
	start := time.Now()
	for i := 0; i < trials; i++ {
		d, err := press(con, true)
		if err != nil {
			return stuck(con, err)
		}
		open = append(open, d)
		time.Sleep(150 * time.Millisecond)
		d, err = press(con, false)
		if err != nil {
			return stuck(con, err)
		}
		closeL = append(closeL, d)
		time.Sleep(150 * time.Millisecond)
	}
	after, _ := con.Total()
	seen := (after - before) / time.Since(start).Seconds()
	cancel()
	st := <-floodDone
	_ = t.SendKeys(con.Session, "q")
	for i := 0; i < 50 && con.Alive(); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	stderr, _ := os.ReadFile(con.ErrFile)
	dropped := "?"
	if m := droppedRE.FindSubmatch(stderr); m != nil {
		dropped = string(m[1])
	}
	all := append(append([]time.Duration(nil), open...), closeL...)
	fmt.Printf("published %.0f msg/s; console counted about %.0f msg/s during the trials; dropped %s\n", st.PerSecond(), seen, dropped)
	fmt.Printf("key -> frame: help open median %v (max %v); help close median %v (max %v); all median %v, p90 %v\n",
		ms(benchkit.Median(open)), ms(maxOf(open)), ms(benchkit.Median(closeL)), ms(maxOf(closeL)), ms(benchkit.Median(all)), ms(pct(all, 0.9)))
	fmt.Printf("load average: %s\n", benchkit.LoadAvg())
	return nil
}

// stuck keeps the console's goroutine dump (SIGQUIT writes it to the
// stderr file) for a console that stopped answering.
func stuck(con *benchkit.Console, err error) error {
	if p, perr := os.FindProcess(con.PID); perr == nil {
		_ = p.Signal(syscall.SIGQUIT)
		time.Sleep(time.Second)
		if b, rerr := os.ReadFile(con.ErrFile); rerr == nil && len(b) > 0 {
			dump := filepath.Join(os.TempDir(), fmt.Sprintf("mqdeck-latency-stuck-%d.txt", con.PID))
			if os.WriteFile(dump, b, 0o644) == nil {
				return fmt.Errorf("%w\n(goroutine dump in %s)", err, dump)
			}
		}
	}
	return err
}

// press sends '?' and waits for help to appear (want) or go.
func press(con *benchkit.Console, want bool) (time.Duration, error) {
	t0 := time.Now()
	if err := con.Tmux.SendKeys(con.Session, "?"); err != nil {
		return 0, err
	}
	for time.Since(t0) < 30*time.Second {
		s, err := con.Screen()
		if err == nil && strings.Contains(s, helpMark) == want {
			return time.Since(t0), nil
		}
		// Each capture is a tmux client process: polling without a pause
		// would take a core from the console being measured.
		time.Sleep(5 * time.Millisecond)
	}
	s, _ := con.Screen()
	return 0, fmt.Errorf("help %v not seen within 30 s:\n%s", want, s)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

func maxOf(d []time.Duration) time.Duration {
	m := time.Duration(0)
	for _, x := range d {
		m = max(m, x)
	}
	return m
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[min(len(s)-1, int(p*float64(len(s))))]
}
