package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/record"
)

// LogCmd is `mqdeck log`: headless, one JSON object per received message.
type LogCmd struct {
	ConnFlags     `embed:""`
	PlatformFlags `embed:""`

	Count      int    `name:"count" short:"n" help:"Exit 0 after N messages (0: until interrupted)." default:"0" placeholder:"N"`
	Record     string `help:"Also append every received message to FILE (JSON lines; mqdeck replay reads it)." type:"path" env:"MQDECK_RECORD" placeholder:"FILE"`
	MaxPayload int    `name:"max-payload" help:"Decode payloads up to this many bytes; larger ones are printed but not decoded." default:"1048576" env:"MQDECK_MAX_PAYLOAD" placeholder:"BYTES"`
	Verbose    bool   `short:"v" help:"Report connection states, granted subscriptions and final stats on stderr."`
	CPUProfile string `name:"cpuprofile" hidden:"" type:"path" help:"Write a CPU profile (pprof) of the run to FILE."`
	MemProfile string `name:"memprofile" hidden:"" type:"path" help:"Write an allocation profile (pprof) at the end to FILE."`
}

// stdoutBuffer is large enough that a flood is written in few syscalls.
const stdoutBuffer = 256 << 10

// Run connects, subscribes and prints until the count is reached, the
// input ends or the context is cancelled (Ctrl-C: flush and exit 0).
func (c *LogCmd) Run(env *runEnv) error {
	w := warner{env.stderr}
	if c.Count < 0 || c.MaxPayload <= 0 {
		return usageError{errors.New("--count must not be negative and --max-payload must be positive")}
	}
	var rec *record.Writer
	if c.Record != "" {
		var err error
		if rec, err = record.Create(c.Record); err != nil {
			return fmt.Errorf("--record: %w", err)
		}
		defer rec.Close()
	}
	if c.CPUProfile != "" {
		stop, err := startCPUProfile(c.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if c.MemProfile != "" {
		defer writeMemProfile(c.MemProfile, env.stderr)
	}
	tuneGC()
	events := newConnEvents()
	sess, err := openSession(env.ctx, &c.ConnFlags, &c.PlatformFlags, w, nil, events)
	if err != nil {
		if env.ctx.Err() != nil {
			return nil // interrupted while connecting
		}
		return err
	}
	client, scheme := sess.client, sess.scheme
	defer client.Close()

	l := &logger{
		out:     bufio.NewWriterSize(env.stdout, stdoutBuffer),
		stderr:  env.stderr,
		rec:     rec,
		verbose: c.Verbose,
		events:  events,
		dropped: client.Dropped,
		secrets: func() []string {
			if sess.secrets == nil {
				return sess.redact
			}
			return append(append([]string(nil), sess.redact...), sess.secrets()...)
		},
	}
	ictx, stop := context.WithCancel(env.ctx)
	defer stop()
	chunks := ingest.Stream(ictx, client.Messages(), ingest.Config{
		Scheme: scheme, Limits: decode.Limits{MaxPayload: c.MaxPayload}, Encode: encodeLine,
	})
	n, runErr := l.run(env.ctx, chunks, c.Count)
	if err := l.out.Flush(); err != nil && runErr == nil {
		runErr = fmt.Errorf("stdout: %w", err)
	}
	l.printEvents() // what happened while we were busy
	if c.Verbose {
		fmt.Fprintf(env.stderr, "mqdeck: %s\n", l.stats(n, client.Dropped()))
	}
	if rec != nil {
		if err := rec.Close(); err != nil && runErr == nil {
			runErr = fmt.Errorf("--record: %w", err)
		}
	}
	return runErr
}

// Garbage collection settings of log, unless GOGC / GOMEMLIMIT say
// otherwise. Measured on a 200k-message flood: the transport and the
// decoder allocate a few KB per message, and at GOGC=100 collection took
// about a third of log's CPU; at 400 it costs ~30% less CPU (RSS ~230 MB
// instead of ~60 MB in a 200k flood), and the limit caps the heap when a
// flood fills --buffer.
const (
	logGCPercent   = 400
	logMemoryLimit = 256 << 20
)

func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(logGCPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(logMemoryLimit)
	}
}

// startCPUProfile profiles until the returned function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeMemProfile writes the allocation profile; failing only warns.
func writeMemProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	if err != nil {
		fmt.Fprintf(stderr, "mqdeck: --memprofile: %v\n", err)
	}
}

// logger owns the output side of mqdeck log.
type logger struct {
	out          *bufio.Writer
	stderr       io.Writer
	rec          *record.Writer
	verbose      bool
	events       *connEvents
	payloadBytes int64
	first        time.Time // when the first message was written
	dropped      func() uint64
	reported     uint64 // drops already announced on stderr
	panics       uint64 // caught on single messages (ingest.Panic)
	// secrets in use: blanked in a panic's report (a careless panic value
	// may hold one). Optional.
	secrets func() []string
}

// run prints items until count (0: no limit), the end of input or ctx.
// It flushes whenever the input runs dry, so a quiet topic is not held in
// the buffer, while a flood goes out in large writes.
func (l *logger) run(ctx context.Context, chunks <-chan ingest.Chunk, count int) (int, error) {
	n := 0
	for count == 0 || n < count {
		var c ingest.Chunk
		var ok bool
		select {
		case c, ok = <-chunks:
		default:
			if err := l.out.Flush(); err != nil {
				return n, fmt.Errorf("stdout: %w", err)
			}
			l.printEvents()
			select {
			case c, ok = <-chunks:
			case <-l.events.wake:
				if err := l.events.fatal(); err != nil {
					return n, err
				}
				continue
			case <-ctx.Done():
				return n, nil
			}
		}
		if !ok || ctx.Err() != nil {
			return n, nil // the end, or Ctrl-C in the middle of a flood
		}
		if c.Panic != nil {
			panic(c.Panic) // last resort: a bug in ingest's own bookkeeping
		}
		l.reportPanics(c.Panics)
		k := len(c.Items)
		if count > 0 && n+k > count {
			k = count - n
		}
		if err := l.write(&c, k); err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}

// write prints (and records) the first k items of c; the workers encoded
// them already.
func (l *logger) write(c *ingest.Chunk, k int) error {
	if k == 0 {
		return nil
	}
	if l.first.IsZero() {
		l.first = time.Now()
	}
	if _, err := l.out.Write(c.Text[:c.Ends[k-1]]); err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	for i := range k {
		it := &c.Items[i]
		if it.Route.Secret {
			l.payloadBytes += int64(it.Value.Size)
		} else {
			l.payloadBytes += int64(len(it.Msg.Payload))
		}
		if l.rec == nil {
			continue
		}
		if err := recordItem(l.rec, it); err != nil {
			return fmt.Errorf("--record: %w", err)
		}
	}
	return nil
}

// reportPanics tells stderr of the panics caught on single messages (a
// bug): the first few with their stacks, then counts. Each such message is
// written all the same, with its error.
func (l *logger) reportPanics(ps []ingest.Panic) {
	for i := range ps {
		p := &ps[i]
		l.panics++
		full, count := ingest.ReportPanic(l.panics)
		if count {
			fmt.Fprintf(l.stderr, "mqdeck: %d internal errors so far on messages (a bug); only the first %d are shown with their stacks\n", l.panics, ingest.MaxPanicReports)
		}
		if !full {
			continue
		}
		fmt.Fprintf(l.stderr, "mqdeck: internal error understanding a message on %s: %s; the message is written with an error (a bug: please report it with this stack)\n",
			p.Topic, decode.Truncate(l.scrub(p.String()), 300))
		for _, line := range strings.Split(strings.TrimSpace(string(p.Stack)), "\n") {
			if line != "" {
				fmt.Fprintf(l.stderr, "  %s\n", l.scrub(line))
			}
		}
	}
}

// scrub makes s terminal-safe and blanks every secret in use in it.
func (l *logger) scrub(s string) string {
	s = decode.Safe(s)
	if l.secrets == nil {
		return s
	}
	for _, sec := range l.secrets() {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
			s = strings.ReplaceAll(s, decode.Safe(sec), "[redacted]")
		}
	}
	return s
}

// encodeLine is the log's ingest.Config.Encode: one JSON line per item.
func encodeLine(dst []byte, it *ingest.Item) []byte {
	return appendLine(dst, &it.Msg, &it.Route, &it.Value)
}

// stats is the -v summary: count, payload bytes, and the rate from the
// first message to the end when there were enough to make one.
func (l *logger) stats(n int, dropped uint64) string {
	msg := fmt.Sprintf("%d messages, %d bytes of payload, %d dropped", n, l.payloadBytes, dropped)
	if l.panics > 0 {
		msg += fmt.Sprintf(", %d not understood (a bug: see above)", l.panics)
	}
	if n > 1 {
		el := time.Since(l.first)
		msg += fmt.Sprintf("; %s from the first to the last (%.0f msg/s)", el.Round(time.Millisecond), float64(n)/el.Seconds())
	}
	return msg
}

// printEvents prints the connection notices gathered since the last call.
func (l *logger) printEvents() {
	for _, line := range l.events.drain(l.verbose) {
		fmt.Fprintf(l.stderr, "mqdeck: %s\n", line)
	}
	// Losing messages is news even without -v: a script must not miss it.
	if l.dropped != nil {
		if d := l.dropped(); d > l.reported {
			fmt.Fprintf(l.stderr, "mqdeck: %d messages dropped (%d in all): the output did not keep up and the buffer was full\n", d-l.reported, d)
			l.reported = d
		}
	}
}
