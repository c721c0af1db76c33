package benchkit

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// BuildMqdeck compiles the mqdeck binary of the tree in the current
// directory into dir, unless bin is given.
func BuildMqdeck(bin, dir string) (string, error) {
	if bin != "" {
		return bin, nil
	}
	out := filepath.Join(dir, "mqdeck")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build mqdeck (run from the repository root): %w", err)
	}
	return out, nil
}

// Slug is the DRIVR domain of the benchmarks' flood and simulator.
const Slug = "company-example"

// DRIVRConsoleArgs are the console's flags for the DRIVR flood and
// simulator on broker, subscribing as clientID.
func DRIVRConsoleArgs(broker, clientID string, extra ...string) []string {
	return append([]string{"--broker", broker, "--platform", "drivr", "--slug", Slug, "--client-id", clientID}, extra...)
}

// DRIVRFilterList is what mqdeck subscribes to with --platform drivr
// --slug Slug: every subscriber under test gets the same filters.
func DRIVRFilterList() []string {
	s, err := platform.New(platform.DRIVR, platform.Params{Slug: Slug})
	if err != nil {
		panic(err) // a fixed, valid slug
	}
	var out []string
	for _, f := range s.Filters() {
		out = append(out, f.Filter)
	}
	return out
}

// DRIVRFilters is how many filters mqdeck subscribes with --platform drivr.
const DRIVRFilters = 6

// StartReadyConsole starts the console in a 120x40 pane and returns once
// the broker has its subscriptions.
func StartReadyConsole(m *Mosquitto, t Tmux, dir, bin, clientID string, extra ...string) (*Console, error) {
	m.ResetSubscribed(clientID)
	c, err := StartConsole(t, clientID, 120, 40, filepath.Join(dir, clientID+".err"), bin,
		DRIVRConsoleArgs(m.URL(), clientID, extra...)...)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := m.WaitSubscribed(ctx, clientID, DRIVRFilters); err != nil {
		stderr, _ := os.ReadFile(c.ErrFile)
		screen, _ := c.Screen()
		c.Stop()
		return nil, fmt.Errorf("%w\nstderr: %s\nscreen:\n%s", err, stderr, screen)
	}
	return c, nil
}

// Rig is what the console benchmarks share: a work directory, the mqdeck
// binary, a Mosquitto on loopback and a private tmux server.
type Rig struct {
	Dir    string
	Bin    string
	Broker *Mosquitto
	Tmux   Tmux
}

// NewRig sets up a rig named name (for the directory and tmux socket),
// building mqdeck unless bin is given. Close undoes it.
func NewRig(name, bin string) (*Rig, error) {
	dir, err := os.MkdirTemp("", "mqdeck-"+name+"-")
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	r := &Rig{Dir: dir, Tmux: Tmux{Socket: fmt.Sprintf("mqdeck-%s-%d", name, os.Getpid())}}
	if r.Bin, err = BuildMqdeck(bin, dir); err != nil {
		r.Close()
		return nil, err
	}
	if r.Broker, err = StartMosquitto(dir); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Close ends the tmux server and the broker and removes the directory.
func (r *Rig) Close() {
	r.Tmux.Kill()
	if r.Broker != nil {
		r.Broker.Stop()
	}
	_ = os.RemoveAll(r.Dir)
}
