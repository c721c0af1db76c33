// Command sweep publishes the hostile-input sweep at a running mqdeck and
// checks after every case that the console survived: still running, the
// pane title and alternate screen unchanged, no injected text standing on
// the screen, memory bounded; at the end, that no sequence reached the
// terminal raw. It prints one line per case and the totals, and exits 1 if
// anything was harmed. bench/hostile/sweep.sh sets up Mosquitto (or uses
// --serve) and the console under tmux around it.
//
//	sweep --serve 127.0.0.1:18830 --tmux-socket S --tmux-target T [--full]
//	sweep --broker mqtt://127.0.0.1:1883 --pid PID
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/broker"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sweep:", err)
		os.Exit(1)
	}
}

type config struct {
	broker, serve        string
	full                 bool
	socket, target, raw  string
	expect               string
	pid                  int
	maxRSSMB             int
	settle, connectUntil time.Duration
}

func run(ctx context.Context, args []string) error {
	var c config
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.StringVar(&c.broker, "broker", "", "publish over a socket to this broker URL")
	fs.StringVar(&c.serve, "serve", "", "be the broker: listen on ADDR (e.g. 127.0.0.1:18830) and inject past its checks")
	fs.BoolVar(&c.full, "full", false, "the full sweep (10 MB payloads, 100k-deep nesting, 50k unique topics)")
	fs.StringVar(&c.socket, "tmux-socket", "", "tmux -L socket of the console to watch")
	fs.StringVar(&c.target, "tmux-target", "", "tmux session of the console")
	fs.StringVar(&c.raw, "raw", "", "record the console's raw terminal output here (tmux pipe-pane) and check it")
	fs.StringVar(&c.expect, "expect", "", "text the console's frame always shows (e.g. its status bar)")
	fs.IntVar(&c.pid, "pid", 0, "a process to watch without tmux (e.g. mqdeck log)")
	fs.IntVar(&c.maxRSSMB, "max-rss-mb", 400, "fail when the console's RSS goes past this")
	fs.DurationVar(&c.settle, "settle", 150*time.Millisecond, "wait after each case before checking")
	fs.DurationVar(&c.connectUntil, "wait-console", 20*time.Second, "with --serve, wait this long for the console to connect")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pub, closeFn, err := publisher(ctx, c)
	if err != nil {
		return err
	}
	defer closeFn()

	var con *hostile.Console
	if c.target != "" {
		t := hostile.Tmux{Socket: c.socket, Target: c.target}
		if con, err = hostile.Watch(t, c.raw, c.expect); err != nil {
			return err
		}
	}
	cases := hostile.Cases(c.full)
	fmt.Printf("%d cases (%s sweep) to %s\n", len(cases), map[bool]string{true: "full", false: "reduced"}[c.full], target(c))
	maxRSS, problems := 0, 0
	check := func(r hostile.Result) error {
		time.Sleep(c.settle)
		if r.Case.Repeat > 1 || len(r.Case.Payload) > 1<<20 {
			time.Sleep(5 * c.settle) // let big cases be applied and drawn
		}
		var found []string
		rss := 0
		switch {
		case con != nil:
			var err error
			if found, rss, err = con.Check(); err != nil {
				return err
			}
		case c.pid != 0:
			var err error
			if rss, err = hostile.RSSKB(c.pid); err != nil {
				found = append(found, "the process is gone: "+err.Error())
			}
		}
		maxRSS = max(maxRSS, rss)
		if rss > c.maxRSSMB<<10 {
			found = append(found, fmt.Sprintf("RSS %d MB past %d MB", rss>>10, c.maxRSSMB))
		}
		status := "ok"
		if r.Err != nil {
			status = "refused"
		}
		if len(found) > 0 {
			status = "HARMED"
		}
		fmt.Printf("%-8s %-52.52s sent %6d  %7.1f ms  rss %6d kB", status, r.Case.Name, r.Sent, float64(r.Elapsed.Microseconds())/1000, rss)
		if r.Err != nil {
			fmt.Printf("  (%s)", r.Err)
		}
		fmt.Println()
		for _, p := range found {
			fmt.Println("         ", p)
		}
		problems += len(found)
		if len(found) > 0 && strings.Contains(found[0], "ended") {
			return hostile.ErrProblem
		}
		return nil
	}
	results, runErr := hostile.Run(ctx, pub, cases, check)
	if con != nil && c.raw != "" {
		if _, _, err := con.Check(); err == nil {
			raw, _ := os.ReadFile(c.raw)
			for _, p := range hostile.CheckRaw(raw) {
				fmt.Println("HARMED  ", p)
				problems++
			}
			fmt.Printf("raw terminal output checked: %d bytes\n", len(raw))
		}
	}
	tried, sent, refused := hostile.Totals(results)
	crashes := 0
	if errors.Is(runErr, hostile.ErrProblem) {
		crashes = 1
	}
	fmt.Printf("inputs tried: %d cases, %d messages; taken by the broker: %d; cases refused by the broker: %d; crashes: %d; problems: %d; max RSS: %.1f MB\n",
		len(results), tried, sent, refused, crashes, problems, float64(maxRSS)/1024)
	if runErr != nil {
		return runErr
	}
	if problems > 0 {
		return fmt.Errorf("%d problems", problems)
	}
	return nil
}

func target(c config) string {
	if c.serve != "" {
		return "an embedded broker on " + c.serve + " (injected past its checks)"
	}
	return c.broker
}

// publisher connects to the broker, or serves one and waits for the console.
func publisher(ctx context.Context, c config) (hostile.Publisher, func(), error) {
	switch {
	case c.serve != "" && c.broker == "":
		b, err := broker.StartConfig(broker.Config{Addr: c.serve})
		if err != nil {
			return nil, nil, fmt.Errorf("serve: %w", err)
		}
		fmt.Printf("broker listening on %s; waiting for the console\n", b.URL())
		deadline := time.Now().Add(c.connectUntil)
		for b.Clients() == 0 {
			if time.Now().After(deadline) || ctx.Err() != nil {
				_ = b.Close()
				return nil, nil, errors.New("no console connected to the embedded broker")
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond) // its SUBSCRIBE follows the CONNECT
		return hostile.InjectPublisher{B: b}, func() { _ = b.Close() }, nil
	case c.broker != "" && c.serve == "":
		cl, err := mqttconn.New(mqttconn.Options{Broker: c.broker, Protocol: mqttconn.Protocol5, BackoffMax: time.Second})
		if err != nil {
			return nil, nil, err
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := cl.Start(sctx); err != nil {
			return nil, nil, errors.New(mqttconn.Describe(err))
		}
		return hostile.ClientPublisher{C: cl}, func() { _ = cl.Close() }, nil
	}
	return nil, nil, errors.New("give exactly one of --broker URL and --serve ADDR")
}
