// Package cli is mqdeck's command line: the kong grammar, configuration
// profiles, secrets, and the runners of each subcommand. main.go only calls
// Main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/mqdeck/mqdeck/decode"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed (connection, I/O)
	exitUsage   = 2 // the command line or configuration is wrong
)

// CLI is the whole command line. Connection flags live on each command that
// connects, so `mqdeck log --help` lists exactly what log uses.
type CLI struct {
	Globals `embed:""`

	Console ConsoleCmd `cmd:"" default:"withargs" help:"The live console (what mqdeck runs without a command)."`
	Demo    DemoCmd    `cmd:"" help:"Embedded broker and a simulated fleet of all four platforms, with the console on it."`
	Log     LogCmd     `cmd:"" help:"Print every received message as one JSON object per line (headless)."`
	// Replay has no default platform: without --platform (or a profile's)
	// the recording's topics say which it is.
	Replay   ReplayCmd   `cmd:"" help:"Play a recording through the console, no broker needed; without --platform its topics name the platform." set:"platform_default="`
	Serve    ServeCmd    `cmd:"" help:"One broker connection and one fleet store, served to a control room over SSH (public keys, operator and viewer roles)."`
	Sim      SimCmd      `cmd:"" help:"Run the simulated fleet against any broker."`
	Retained RetainedCmd `cmd:"" help:"List or clear the retained messages under a topic filter (headless)."`
	Version  VersionCmd  `cmd:"" help:"Print the version and exit."`
	Bench    BenchCmd    `cmd:"" help:"Performance tools: bench pub floods a broker with realistic platform traffic."`
}

// Globals select the configuration file and profile.
type Globals struct {
	Config  string `help:"Configuration file (TOML) with named profiles. Default: ${default_config}, when it exists." type:"path" env:"MQDECK_CONFIG" placeholder:"FILE"`
	Profile string `help:"Profile of the configuration file to use." env:"MQDECK_PROFILE" placeholder:"NAME"`
}

// runEnv is what every runner gets: where to write, and the parse-time
// warnings already printed.
type runEnv struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
}

// exitPanic carries kong's Exit (after --help) out of Parse without os.Exit.
type exitPanic struct{ code int }

// usageError marks a mistake in the command line or configuration.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// Main runs mqdeck with the process's arguments and returns its exit code.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	defer stop()
	return Run(ctx, args, os.Stdout, os.Stderr)
}

// stopSignals end a run the orderly way (serve tells its sessions and
// closes the audit, a recording is flushed). SIGHUP too: a terminal or ssh
// link that goes away would otherwise kill mqdeck on the spot, unless the
// user asked to ignore it (nohup), which Notify would undo.
func stopSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// Run parses args and runs the selected command. It never calls os.Exit.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cli CLI
	parser, err := newParser(&cli, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "mqdeck: %v\n", err)
		return exitFailure
	}
	kctx, code, done := parse(parser, args)
	if done {
		return code
	}
	if kctx == nil {
		return exitUsage
	}
	env := &runEnv{ctx: ctx, stdout: stdout, stderr: stderr}
	if err := kctx.Run(env, &cli); err != nil {
		fmt.Fprintf(stderr, "mqdeck: %s\n", oneLine(err.Error()))
		var u usageError
		if errors.As(err, &u) {
			return exitUsage
		}
		return exitFailure
	}
	return exitOK
}

// parse runs kong and turns --help (kong's Exit) and parse errors into exit
// codes. done is true when the program must stop with code.
func parse(parser *kong.Kong, args []string) (kctx *kong.Context, code int, done bool) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(exitPanic)
			if !ok {
				panic(r)
			}
			kctx, code, done = nil, e.code, true
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(parser.Stderr, "mqdeck: %s\n", oneLine(err.Error()))
		fmt.Fprintln(parser.Stderr, "Run \"mqdeck --help\" for usage.")
		return nil, exitUsage, true
	}
	return kctx, 0, false
}

// newParser builds kong for a grammar (CLI, or a test grammar that embeds
// Globals) with the profile loader hooked in before resolution.
func newParser(grammar any, stdout, stderr io.Writer) (*kong.Kong, error) {
	w := warner{stderr}
	loaded := &loadedConfig{}
	return kong.New(grammar,
		kong.Name("mqdeck"),
		kong.Description("A terminal console for IoT fleets over MQTT (DRIVR, Drogue Cloud, device API, SmartWorks, any broker)."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitPanic{code}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{"default_config": defaultConfigPath(), "platform_default": "generic",
			"platform_choices": "drivr,drogue,devapi,smartworks,generic"},
		kong.WithBeforeResolve(func(kctx *kong.Context) error { return applyProfile(kctx, w, loaded) }),
		kong.Bind(loaded),
	)
}

// oneLine keeps an error to one terminal-safe line.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	return decode.Safe(s)
}
