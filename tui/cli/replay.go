package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/record"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/views"
)

// ReplayCmd is `mqdeck replay FILE`: a recording through the console.
type ReplayCmd struct {
	File          string  `arg:"" help:"Recording from --record (mqdeck log output plays too)."`
	Speed         float64 `help:"Playback speed: 1 as recorded, 10 ten times faster, 0 as fast as possible." default:"1"`
	Loop          bool    `help:"Start over at the end."`
	PlatformFlags `embed:""`
	UIFlags       `embed:""`
}

// Run plays the file into the console; no broker is involved.
func (c *ReplayCmd) Run(env *runEnv, loaded *loadedConfig) error {
	if c.Speed < 0 {
		return usageError{errors.New("--speed must not be negative")}
	}
	if err := firstMessage(c.File); err != nil {
		return err
	}
	scheme, err := platform.New(c.Platform, c.params(0))
	if err != nil {
		return usageError{err}
	}
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	msgs := make(chan mqttconn.Message, 4096)
	replayDone := make(chan error, 1)
	go func() {
		err := record.Replay(ctx, c.File, c.Speed, c.Loop, msgs)
		close(msgs) // the console learns the recording ended
		replayDone <- err
	}()

	cfg := c.UIFlags.config(loaded, nil)
	cfg.Conn = views.ConnInfo{Broker: c.File, Platform: scheme.Name(), ReadOnly: true, NoState: "replay"}
	cfg.Source = console.Source{Messages: msgs, Scheme: scheme, Limits: decode.Limits{MaxPayload: c.MaxPayload}}
	cfg.Actions = console.Actions{Platform: scheme.Name(), Off: "a replay has no broker to publish to"}
	err = runConsole(ctx, cfg)
	cancel()
	replayErr := <-replayDone
	var skipped *record.SkippedError
	switch {
	case errors.As(replayErr, &skipped):
		fmt.Fprintf(env.stderr, "mqdeck: %s\n", oneLine(skipped.Error()))
	case replayErr != nil && !errors.Is(replayErr, context.Canceled) && err == nil:
		err = replayErr
	}
	return err
}

// firstMessage checks that the file holds at least one readable message,
// so a wrong file is an error line rather than an empty console.
func firstMessage(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	defer f.Close()
	if _, err := record.NewReader(f).Next(); err != nil {
		return fmt.Errorf("replay %s: no readable message (%v)", file, err)
	}
	return nil
}
