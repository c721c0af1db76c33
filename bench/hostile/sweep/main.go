// Command sweep publishes the hostile-input sweep at a running mqdeck and
// checks after every case that the console survived: still running, the
// pane title and alternate screen unchanged, no injected text standing on
// the screen, memory bounded; at the end, that no sequence reached the
// terminal raw. It prints one line per case and the totals, and exits 1 if
// anything was harmed. bench/hostile/sweep.sh sets up Mosquitto (or uses
// --serve) and the console under tmux around it.
//
//	sweep --serve 127.0.0.1:0 --console ./mqdeck [--full] -- --topic '#'
//	sweep --broker mqtt://127.0.0.1:1883 --console ./mqdeck -- --topic '#'
//	sweep --serve 127.0.0.1:18830 --tmux-socket S --tmux-target T
//	sweep --broker mqtt://127.0.0.1:1883 --pid PID
//
// With --console the sweep starts the console itself in a 120x40 pane of a
// private tmux server, pointed at the broker (the arguments after -- are
// added), and walks its log pane afterwards so every message is drawn in
// the detail pane too.
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
	console              string
	consoleArgs          []string
	full, wire           bool
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
	fs.BoolVar(&c.wire, "wire", false, "with --broker, also send the cases MQTT forbids (a conforming broker drops the connection for each)")
	fs.StringVar(&c.console, "console", "", "start this mqdeck binary under tmux against the broker (arguments after -- are added)")
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
	c.consoleArgs = fs.Args()
	pub, url, closeFn, err := publisher(ctx, c)
	if err != nil {
		return err
	}
	defer closeFn()
	if c.console != "" {
		stopConsole, err := startConsole(&c, url)
		if err != nil {
			return err
		}
		defer stopConsole()
	}

	var con *hostile.Console
	if c.target != "" {
		t := hostile.Tmux{Socket: c.socket, Target: c.target}
		if con, err = hostile.Watch(t, c.raw, c.expect); err != nil {
			return err
		}
	}
	cases := hostile.Cases(c.full)
	skipped := 0
	if c.broker != "" && !c.wire {
		// A conforming broker refuses these by dropping the publisher; only a
		// broker that does not check (--serve) can deliver them.
		kept := cases[:0]
		for _, k := range cases {
			if k.Wire {
				skipped++
				continue
			}
			kept = append(kept, k)
		}
		cases = kept
		fmt.Printf("%d cases MQTT forbids (control characters or invalid UTF-8 in topics and properties) left out: --wire sends them, --serve injects them\n", skipped)
	}
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
	if con != nil && runErr == nil {
		problems += walk(con)
	}
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

// publisher connects to the broker, or serves one; it returns the URL the
// console connects to.
func publisher(ctx context.Context, c config) (hostile.Publisher, string, func(), error) {
	switch {
	case c.serve != "" && c.broker == "":
		b, err := broker.StartConfig(broker.Config{Addr: c.serve})
		if err != nil {
			return nil, "", nil, fmt.Errorf("serve: %w", err)
		}
		fmt.Printf("broker listening on %s\n", b.URL())
		return servePublisher{b: b, wait: c.connectUntil}, b.URL(), func() { _ = b.Close() }, nil
	case c.broker != "" && c.serve == "":
		cl, err := mqttconn.New(mqttconn.Options{Broker: c.broker, Protocol: mqttconn.Protocol5, BackoffMax: time.Second})
		if err != nil {
			return nil, "", nil, err
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := cl.Start(sctx); err != nil {
			return nil, "", nil, errors.New(mqttconn.Describe(err))
		}
		return hostile.ClientPublisher{C: cl}, c.broker, func() { _ = cl.Close() }, nil
	}
	return nil, "", nil, errors.New("give exactly one of --broker URL and --serve ADDR")
}

// servePublisher injects into the embedded broker once a console is
// connected to it.
type servePublisher struct {
	b    *broker.Broker
	wait time.Duration
}

func (p servePublisher) Publish(ctx context.Context, topic string, payload []byte, props *mqttconn.Props) error {
	if p.b.Clients() == 0 {
		deadline := time.Now().Add(p.wait)
		for p.b.Clients() == 0 {
			if time.Now().After(deadline) || ctx.Err() != nil {
				return errors.New("no console connected to the embedded broker")
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond) // its SUBSCRIBE follows the CONNECT
	}
	return hostile.InjectPublisher{B: p.b}.Publish(ctx, topic, payload, props)
}

// startConsole runs the console under a private tmux server and points the
// watch flags at it.
func startConsole(c *config, url string) (func(), error) {
	dir, err := os.MkdirTemp("", "mqdeck-sweep-")
	if err != nil {
		return nil, err
	}
	c.socket = fmt.Sprintf("mqdeck-sweep-%d", os.Getpid())
	c.target = "console"
	if c.raw == "" {
		c.raw = dir + "/raw"
	}
	if c.expect == "" {
		c.expect = "connected"
	}
	t := hostile.Tmux{Socket: c.socket, Target: c.target}
	argv := append([]string{c.console, "--broker", url}, c.consoleArgs...)
	if err := t.Start(120, 40, []string{"HOME=" + dir, "TMPDIR=" + dir}, argv...); err != nil {
		return nil, err
	}
	stop := func() {
		if s, err := t.Capture(); err == nil {
			fmt.Printf("console's last screen:\n%s", s)
		}
		t.Kill()
		_ = os.RemoveAll(dir)
	}
	if s, ok := t.WaitScreen(15*time.Second, c.expect); !ok {
		stop()
		return nil, fmt.Errorf("the console did not show %q:\n%s", c.expect, s)
	}
	fmt.Printf("console: %s (tmux -L %s attach -t %s)\n", strings.Join(argv, " "), c.socket, c.target)
	return stop, nil
}

// walk moves through the log pane so each message is drawn in the detail
// pane, checking as it goes; it returns the problems found.
func walk(con *hostile.Console) int {
	const steps = 200
	_ = con.Tmux.Keys("5", "g") // newest first: the hostile cases came last
	problems := 0
	for i := range steps {
		_ = con.Tmux.Keys("j")
		time.Sleep(30 * time.Millisecond)
		if i%20 == 19 {
			found, _, err := con.Check()
			if err != nil {
				fmt.Println("walk:", err)
				return problems + 1
			}
			for _, p := range found {
				fmt.Printf("HARMED   walking the log, row %d: %s\n", i+1, p)
			}
			problems += len(found)
		}
	}
	fmt.Printf("walked %d log rows through the detail pane\n", steps)
	return problems
}
