package cli

import (
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/console"
)

// crashTestEnv is a hidden switch for bench/reliability: it makes the
// console panic on purpose. "ui": on the first key press (the UI
// goroutine), so a test can prove that a crash restores the terminal and
// leaves a report without secrets; "pump": the scheme's Route, on a
// message to crashTestTopic (an ingest worker), which costs that message's
// decoding only: the console keeps running and reports it; "record":
// --record's recorder, on a message to crashTestTopic (recordCrashTest),
// which stops the recording only: the stream goes on. The panic
// value carries the session's secrets, as a careless panic might; neither
// the screen nor the report may.
const (
	crashTestEnv   = "MQDECK_CRASH_TEST"
	crashTestTopic = "mqdeck/crash-test"
)

// crashTest arms cfg as MQDECK_CRASH_TEST asks; nothing when it is unset.
func crashTest(cfg *console.Config) []tea.ProgramOption {
	why := crashWhy(cfg)
	switch os.Getenv(crashTestEnv) {
	case "pump":
		if cfg.Source.Scheme != nil {
			cfg.Source.Scheme = crashScheme{Scheme: cfg.Source.Scheme, why: why}
		}
	case "ui":
		return []tea.ProgramOption{tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			if _, ok := msg.(tea.KeyPressMsg); ok {
				panic(why)
			}
			return msg
		})}
	}
	return nil
}

// serveCrashTest is crashTest's "pump" for mqdeck serve, whose ingest is
// the hub's: it says whether to wrap the scheme, and with what panic.
func serveCrashTest(cfg *console.Config) (why string, on bool) {
	if os.Getenv(crashTestEnv) != "pump" {
		return "", false
	}
	return crashWhy(cfg), true
}

// recordCrashTest arms crashTest's "record" in rec (nil: no --record):
// its tap panics on a message to crashTestTopic, inside the recorder as
// a bug in its encoder would.
func recordCrashTest(rec *recorder, cfg *console.Config) {
	if rec != nil && os.Getenv(crashTestEnv) == "record" {
		rec.crash = func() string { return crashWhy(cfg) }
	}
}

// crashWhy is the panic value: it carries the session's secrets, as a
// careless panic might.
func crashWhy(cfg *console.Config) string {
	return "crash test (" + crashTestEnv + ") holding the session's secrets: " + strings.Join(cfg.RedactList(), " ")
}

type crashScheme struct {
	platform.Scheme
	why string
}

func (s crashScheme) Route(topic string, p *mqttconn.Props) platform.Route {
	if topic == crashTestTopic {
		panic(s.why)
	}
	return s.Scheme.Route(topic, p)
}
