// Command console runs mqdeck's real console (console.Run: pump, fleet store,
// every pane, the renderer) against a broker, wired as `mqdeck` wires it,
// with the knobs the performance programs need: exit after N applied
// messages, a headless mode (renderer writing to nowhere at 120x40), a
// summary file with the transport's drop count, CPU and heap profiles, and
// RSS samples. It stands in for `mqdeck --exit-after` where the command
// line does not have it, and is what the memory programs run.
//
//	go run ./bench/console --broker mqtt://127.0.0.1:1883 --platform drivr --slug company-example --exit-after 200000
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/bench/benchkit"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
	"github.com/mqdeck/mqdeck/views"
)

type config struct {
	broker, plat, slug, clientID string
	protocol                     string
	buffer                       int
	exitAfter                    uint64
	headless                     bool
	summary, cpuProfile, memProf string
	rssEvery                     time.Duration
	rssLog                       string
	duration                     time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.broker, "broker", "mqtt://127.0.0.1:1883", "broker URL")
	flag.StringVar(&c.plat, "platform", "drivr", "platform scheme")
	flag.StringVar(&c.slug, "slug", "company-example", "DRIVR slug")
	flag.StringVar(&c.clientID, "client-id", "", "client id (generated when empty)")
	flag.StringVar(&c.protocol, "mqtt-version", "auto", "5, 3.1.1 or auto")
	flag.IntVar(&c.buffer, "buffer", 65536, "transport buffer (mqdeck's default)")
	flag.Uint64Var(&c.exitAfter, "exit-after", 0, "quit once this many messages were applied (0: never)")
	flag.BoolVar(&c.headless, "headless", false, "no terminal: render 120x40 frames to nowhere")
	flag.StringVar(&c.summary, "summary", "", "write 'applied-exit dropped elapsed' here on exit")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile")
	flag.StringVar(&c.memProf, "memprofile", "", "write a heap profile on exit")
	flag.DurationVar(&c.rssEvery, "rss-every", 0, "sample RSS this often into --rss-log")
	flag.StringVar(&c.rssLog, "rss-log", "", "RSS samples (elapsed, VmRSS MiB, heap MiB, goroutines)")
	flag.DurationVar(&c.duration, "duration", 0, "quit after this long (0: never)")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintf(os.Stderr, "console: %v\n", err)
		os.Exit(1)
	}
}

func run(c config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if c.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.duration)
		defer cancel()
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	scheme, err := platform.New(c.plat, platform.Params{Slug: c.slug})
	if err != nil {
		return err
	}
	hooks := ingest.NewHooks()
	client, err := mqttconn.New(mqttconn.Options{
		Broker: c.broker, Protocol: mqttconn.Protocol(c.protocol), ClientID: c.clientID,
		CleanStart: true, Subscriptions: scheme.Filters(), BufferSize: c.buffer,
		OnState: hooks.OnState, OnSubscribe: hooks.OnSubscribe,
	})
	if err != nil {
		return err
	}
	defer client.Close()
	startCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = client.Start(startCtx)
	cancel()
	if err != nil {
		return fmt.Errorf("connect: %s", mqttconn.Describe(err))
	}
	if c.rssEvery > 0 && c.rssLog != "" {
		go sampleRSS(ctx, c.rssLog, c.rssEvery)
	}

	// Our own store (default caps) so its totals can be reported at the end.
	store := fleet.New(fleet.DefaultConfig(), platforms.Fleet())
	cfg := console.Config{
		Store:     store,
		Conn:      views.ConnInfo{Broker: c.broker, Platform: c.plat, Protocol: c.protocol},
		ExitAfter: c.exitAfter,
		Source:    console.Source{Messages: client.Messages(), Scheme: scheme, Dropped: client.Dropped, Hooks: hooks},
	}
	var opts []tea.ProgramOption
	if c.headless {
		opts = append(opts, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(120, 40), tea.WithoutSignalHandler())
	}
	start := time.Now()
	runErr := console.Run(ctx, cfg, opts...)
	elapsed := time.Since(start)
	if c.memProf != "" {
		if err := writeHeap(c.memProf); err != nil {
			return err
		}
	}
	if c.summary != "" {
		reached := runErr == nil && ctx.Err() == nil && c.exitAfter > 0
		line := fmt.Sprintf("reached=%v dropped=%d elapsed=%s\nstore: %+v\n", reached, client.Dropped(), elapsed, store.Totals())
		if err := os.WriteFile(c.summary, []byte(line), 0o644); err != nil {
			return fmt.Errorf("summary: %w", err)
		}
	}
	return runErr
}

func writeHeap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("memprofile: %w", err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		return fmt.Errorf("memprofile: %w", err)
	}
	return nil
}

// sampleRSS appends one line per interval: seconds since start, VmRSS,
// Go heap in use, goroutines.
func sampleRSS(ctx context.Context, path string, every time.Duration) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	start := time.Now()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rss, _ := benchkit.RSSMiB(0)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(f, "%.0f\t%.1f\t%.1f\t%d\n", time.Since(start).Seconds(), rss, float64(ms.HeapInuse)/(1<<20), runtime.NumGoroutine())
	}
}
