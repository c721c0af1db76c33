package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/record"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/platforms"
	"github.com/mqdeck/mqdeck/views"
)

// ReplayCmd is `mqdeck replay FILE`: a recording through the console.
type ReplayCmd struct {
	File          string  `arg:"" help:"Recording from --record (mqdeck log output plays too)."`
	Speed         float64 `help:"Playback speed: 1 as recorded, 10 ten times faster, 0 as fast as possible." default:"1"`
	Loop          bool    `help:"Start over at the end."`
	PlatformFlags `embed:"" set:"platform_choices=,drivr,drogue,devapi,smartworks,generic"`
	UIFlags       `embed:""`
}

// Run plays the file into the console; no broker is involved.
func (c *ReplayCmd) Run(env *runEnv, loaded *loadedConfig) error {
	if c.Speed < 0 {
		return usageError{errors.New("--speed must not be negative")}
	}
	sample, err := firstMessages(c.File, guessSample)
	if err != nil {
		return err
	}
	name, params := c.Platform, c.params(0)
	if name == "" {
		// The recording's topics say which platform it is, with its
		// slug, application or account: the generic view of a DRIVR
		// recording showed "0 systems".
		name, params = platform.Guess(sample)
		params.Filters, params.QoS = c.Topic, 0
		fillParams(&params, c.PlatformFlags)
	}
	scheme, err := platforms.NewScheme(name, params)
	if err != nil {
		return usageError{err}
	}
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	msgs := make(chan mqttconn.Message, 4096)
	replayDone := make(chan error, 1)
	// Ages, "stale" and rates read against the recording's time at the
	// playback position, not the wall clock.
	clock := record.NewClock(sample[0].Received, c.Speed, nil)
	go func() {
		err := record.Replay(ctx, c.File, c.Speed, c.Loop, clock, msgs)
		close(msgs) // the console learns the recording ended
		replayDone <- err
	}()

	cfg := c.UIFlags.config(loaded, nil)
	cfg.Now = clock.Now
	cfg.SourceState = func() (string, string) { return replayState(clock, c.Loop) }
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

// guessSample is how many messages from the start of a recording name its
// platform.
const guessSample = 2000

// firstMessages reads up to n messages from the start of the file; none
// is an error line rather than an empty console.
func firstMessages(file string, n int) ([]mqttconn.Message, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	defer f.Close()
	r := record.NewReader(f)
	var out []mqttconn.Message
	for len(out) < n {
		m, err := r.Next()
		if err != nil {
			if len(out) == 0 {
				return nil, fmt.Errorf("replay %s: no readable message (%v)", file, err)
			}
			break
		}
		out = append(out, m)
	}
	return out, nil
}

// fillParams keeps what the flags say over what the recording suggests.
func fillParams(p *platform.Params, f PlatformFlags) {
	if f.Slug != "" {
		p.Slug = f.Slug
	}
	if len(f.App) > 0 {
		p.Apps = f.App
	}
	if f.Account != "" {
		p.Account = f.Account
	}
	p.Device, p.CEMode = f.Device, f.CEMode
}

// replayState is what the status bar says of the playback: which pass
// with --loop and how far its times are moved on from the recording's (so
// a time read on screen can be found in the file), and that it ended.
func replayState(c *record.Clock, loop bool) (glyph, words string) {
	switch {
	case c.Ended():
		return "■", "replay ended"
	case loop && c.Pass() > 1:
		return "", fmt.Sprintf("replay, pass %d, times +%s", c.Pass(), c.Shift().Round(time.Second))
	case loop:
		return "", "replay, pass 1"
	}
	return "", "replay"
}
