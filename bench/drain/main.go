// Command drain measures what issue 12 names the hardest moment for a
// subscriber: a persistent session that Mosquitto filled with N queued
// messages while it was offline (queue_qos0_messages true,
// max_queued_messages 0), then the subscriber connects and drains it.
// It times, alternating in one session, mosquitto_sub (the single-threaded
// C client: the ratios are to it), `mqdeck log -n N >/dev/null` and the
// console in a 120x40 tmux pane with --exit-after N, each from process start
// to exit, and checks that nothing was dropped. -before BIN adds the same
// two mqdeck subjects run by another binary, side by side.
//
//	go run ./bench/drain -n 200000 -rounds 5
//	go run ./bench/drain -n 200000 -qos 1 -rounds 3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/bench/benchkit"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
)

const slug = benchkit.Slug

type options struct {
	n, rounds, size, topics int
	qos                     int
	mqdeck, before, only    string
	timeout                 time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 200000, "messages queued per run")
	flag.IntVar(&o.rounds, "rounds", 5, "rounds (each runs every subscriber once, in rotating order)")
	flag.IntVar(&o.size, "size", 280, "JSON payloads padded to this many bytes")
	flag.IntVar(&o.topics, "topics", 1000, "systems the messages spread over")
	flag.IntVar(&o.qos, "qos", 0, "QoS of the publishers and the subscriptions: 0 or 1")
	flag.StringVar(&o.mqdeck, "mqdeck", "", "mqdeck binary (default: built from this tree)")
	flag.StringVar(&o.before, "before", "", "another mqdeck binary to run side by side (\"before\")")
	flag.StringVar(&o.only, "only", "", "comma-separated subset of: log,console (mosquitto_sub always runs)")
	flag.DurationVar(&o.timeout, "timeout", 120*time.Second, "give up one drain after this long")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "drain: %v\n", err)
		os.Exit(1)
	}
}

// subject is one subscriber: the command that drains the session as id.
type subject struct {
	name    string
	command func(id, url string) []string
	tmux    bool // run in a 120x40 tmux pane (the console)
}

func subjects(o options, bin string) []subject {
	q := strconv.Itoa(o.qos)
	n := strconv.Itoa(o.n)
	out := []subject{{name: "mosquitto_sub", command: func(id, url string) []string {
		port := url[strings.LastIndex(url, ":")+1:]
		args := []string{"mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", "5", "-i", id, "-c", "-x", "3600", "-q", q, "-C", n}
		for _, f := range benchkit.DRIVRFilterList() {
			args = append(args, "-t", f)
		}
		return args
	}}}
	want := func(s string) bool { return o.only == "" || strings.Contains(","+o.only+",", ","+s+",") }
	mq := func(label, b string) {
		common := func(id, url string) []string {
			return []string{"--broker", url, "--platform", "drivr", "--slug", slug, "--client-id", id,
				"--no-clean-start", "--session-expiry", "1h", "--qos", q, "--mqtt-version", "5"}
		}
		if want("log") {
			out = append(out, subject{name: "log" + label, command: func(id, url string) []string {
				return append([]string{b, "log", "-v", "-n", n}, common(id, url)...)
			}})
		}
		if want("console") {
			out = append(out, subject{name: "console" + label, tmux: true, command: func(id, url string) []string {
				return append([]string{b, "--exit-after", n}, common(id, url)...)
			}})
		}
	}
	mq("", bin)
	if o.before != "" {
		mq(" before", o.before)
	}
	return out
}

func run(o options) error {
	if o.qos != 0 && o.qos != 1 {
		return fmt.Errorf("-qos %d: 0 or 1", o.qos)
	}
	dir, err := os.MkdirTemp("", "mqdeck-drain-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := benchkit.BuildMqdeck(o.mqdeck, dir)
	if err != nil {
		return err
	}
	fmt.Printf("machine: %s\n", benchkit.Machine())
	msgs, err := benchkit.Generate(sim.FloodConfig{N: o.n, Platform: sim.PlatformDRIVR, Size: o.size, Topics: o.topics})
	if err != nil {
		return err
	}
	streams := benchkit.EncodeQoS(msgs, 2, byte(o.qos))
	broker, err := benchkit.StartMosquitto(dir, "queue_qos0_messages true")
	if err != nil {
		return err
	}
	defer broker.Stop()
	tm := benchkit.Tmux{Socket: fmt.Sprintf("mqdeck-drain-%d", os.Getpid())}
	defer tm.Kill()
	subs := subjects(o, bin)
	fmt.Printf("drain: %d queued QoS %d DRIVR messages (~%d-byte JSON over %d systems) per run; %d rounds; subjects:", o.n, o.qos, o.size, o.topics, o.rounds)
	for _, s := range subs {
		fmt.Printf(" %s;", s.name)
	}
	fmt.Println()

	results := map[string][]time.Duration{}
	cpus := map[string][]time.Duration{}
	notes := map[string][]string{}
	for r := range o.rounds {
		for i := range subs {
			s := subs[(i+r)%len(subs)]
			id := fmt.Sprintf("drain-%d-%d", r, i)
			el, cpu, note, err := drainOnce(o, broker, tm, dir, streams, s, id)
			if err != nil {
				fmt.Printf("round %d %-16s FAILED: %v\n", r+1, s.name, err)
				notes[s.name] = append(notes[s.name], "failed")
				continue
			}
			results[s.name] = append(results[s.name], el)
			if cpu > 0 {
				cpus[s.name] = append(cpus[s.name], cpu)
			}
			notes[s.name] = append(notes[s.name], note)
			fmt.Printf("round %d %-16s %7.3f s %9.0f msg/s  cpu %6.3f s  %s\n", r+1, s.name, el.Seconds(), float64(o.n)/el.Seconds(), cpu.Seconds(), note)
		}
	}
	fmt.Printf("\nmedians over %d rounds (load average now %s)\n", o.rounds, benchkit.LoadAvg())
	// CPU seconds (user+system) of the subscriber's process: on a loaded
	// machine the wall times stretch with everything else's, the CPU a
	// drain costs much less.
	fmt.Printf("%-16s %5s %9s %10s %7s %7s  %s\n", "subscriber", "runs", "median s", "msg/s", "ratio", "cpu s", "notes")
	base := benchkit.Median(results["mosquitto_sub"])
	for _, s := range subs {
		med := benchkit.Median(results[s.name])
		ratio, rate := "-", 0.0
		if med > 0 {
			rate = float64(o.n) / med.Seconds()
			if base > 0 {
				ratio = fmt.Sprintf("%.2fx", float64(med)/float64(base))
			}
		}
		fmt.Printf("%-16s %5d %9.3f %10.0f %7s %7.3f  %s\n", s.name, len(results[s.name]), med.Seconds(), rate, ratio, benchkit.Median(cpus[s.name]).Seconds(), strings.Join(notes[s.name], ", "))
	}
	return nil
}

// drainOnce makes the session, queues the messages, and times the drain.
// The timeout counts from the drain's start: queueing the messages takes
// long too on a loaded machine (QoS 1: 40 s at load 17), and a timeout
// over both once read as a drain that never finished.
func drainOnce(o options, broker *benchkit.Mosquitto, tm benchkit.Tmux, dir string, streams [][]byte, s subject, id string) (wall, cpu time.Duration, note string, err error) {
	qctx, qcancel := context.WithTimeout(context.Background(), o.timeout)
	defer qcancel()
	queued := time.Now()
	if err := makeSession(qctx, broker.URL(), id, byte(o.qos)); err != nil {
		return 0, 0, "", err
	}
	bl, err := benchkit.Dial(qctx, broker.Addr(), id+"-pub", len(streams))
	if err != nil {
		return 0, 0, "", err
	}
	err = bl.Send(streams)
	if err == nil {
		err = bl.WaitClosed(o.timeout)
	}
	bl.Close()
	if err != nil {
		return 0, 0, "", fmt.Errorf("queueing: %w", err)
	}
	if q := time.Since(queued); q > o.timeout/4 {
		fmt.Printf("  (queueing for %s took %.1f s)\n", s.name, q.Seconds())
	}
	time.Sleep(200 * time.Millisecond) // let the broker settle
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	if s.tmux {
		return drainTmux(ctx, tm, dir, s.command(id, broker.URL()), id)
	}
	return drainExec(ctx, s.command(id, broker.URL()))
}

// makeSession leaves a persistent MQTT 5 session with the DRIVR filters on
// the broker, offline.
func makeSession(ctx context.Context, url, id string, qos byte) error {
	var subs []mqttconn.Subscription
	for _, f := range benchkit.DRIVRFilterList() {
		subs = append(subs, mqttconn.Subscription{Filter: f, QoS: qos})
	}
	c, err := mqttconn.New(mqttconn.Options{Broker: url, Protocol: mqttconn.Protocol5, ClientID: id,
		SessionExpiry: time.Hour, Subscriptions: subs})
	if err != nil {
		return err
	}
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("session %s: %w", id, err)
	}
	return c.Close()
}

// droppedRE finds the drop counts log and the console print: "N dropped"
// in log -v's summary, "(N in all)" in its warnings, "dropped N" on the
// console's exit.
var droppedRE = regexp.MustCompile(`(\d+) dropped;|\((\d+) in all\)|dropped (\d+)`)

func dropNote(stderr string) string {
	all := droppedRE.FindAllStringSubmatch(stderr, -1)
	if all == nil {
		return "dropped=0"
	}
	m := all[len(all)-1]
	return "dropped=" + m[1] + m[2] + m[3]
}

func drainExec(ctx context.Context, args []string) (wall, cpu time.Duration, note string, err error) {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	var errb strings.Builder
	cmd.Stderr = &errb
	// Interrupted at the timeout, log -v still says how far it got (its
	// summary on stderr): a hang reads differently from a slow drain.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return 0, 0, "", fmt.Errorf("did not receive everything in %s (%s): %s", time.Since(start).Round(time.Second), dropNote(errb.String()), lastLine(errb.String()))
		}
		return 0, 0, "", fmt.Errorf("%v: %s", err, strings.TrimSpace(errb.String()))
	}
	wall = time.Since(start)
	cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return wall, cpu, dropNote(errb.String()), nil
}

// drainTmux runs the console in a 120x40 pane; the shell stamps the start
// and the end (ns) around it, and GNU time, where installed, its CPU time.
func drainTmux(ctx context.Context, tm benchkit.Tmux, dir string, args []string, id string) (wall, cpu time.Duration, note string, err error) {
	done, errf, cpuf := filepath.Join(dir, id+".done"), filepath.Join(dir, id+".err"), filepath.Join(dir, id+".cpu")
	if _, err := os.Stat(gnuTime); err == nil {
		args = append([]string{gnuTime, "-o", cpuf, "-f", "%U %S"}, args...)
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	sh := fmt.Sprintf("s=$(date +%%s%%N); %s 2>%s; echo \"$? $s $(date +%%s%%N)\" > %s", strings.Join(quoted, " "), errf, done)
	if err := tm.NewSession(id, 120, 40, sh); err != nil {
		return 0, 0, "", err
	}
	defer func() { _, _ = tm.Run("kill-session", "-t", id) }()
	for ctx.Err() == nil {
		b, err := os.ReadFile(done)
		if err == nil && len(b) > 0 && b[len(b)-1] == '\n' {
			f := strings.Fields(string(b))
			stderr, _ := os.ReadFile(errf)
			if len(f) != 3 || f[0] != "0" {
				return 0, 0, "", fmt.Errorf("console exited %q: %s", strings.TrimSpace(string(b)), strings.TrimSpace(string(stderr)))
			}
			t0, _ := strconv.ParseInt(f[1], 10, 64)
			t1, _ := strconv.ParseInt(f[2], 10, 64)
			return time.Duration(t1 - t0), readCPU(cpuf), dropNote(string(stderr)), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	screen, _ := tm.Capture(id)
	return 0, 0, "", errors.New("timed out; screen:\n" + screen)
}

// gnuTime reports a command's CPU time (-f "%U %S" -o FILE).
const gnuTime = "/usr/bin/time"

// readCPU reads GNU time's "user system" seconds; 0 when absent.
func readCPU(path string) time.Duration {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	u, err1 := strconv.ParseFloat(f[len(f)-2], 64)
	s, err2 := strconv.ParseFloat(f[len(f)-1], 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration((u + s) * float64(time.Second))
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
