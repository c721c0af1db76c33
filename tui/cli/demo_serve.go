package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/serve"
)

// serve is `demo --serve`: the simulated fleet over SSH. Without a key
// file the user's own public keys (~/.ssh/id_*.pub) are the operators, so
// `ssh -p 2222 localhost` works from the same account at once.
func (d *DemoCmd) serve(ctx context.Context, env *runEnv, cfg console.Config, src serve.Source) error {
	f := d.ServeFlags
	if f.OperatorKeys == "" && f.ViewerKeys == "" {
		path, names, err := ownKeys()
		if err != nil {
			return usageError{err}
		}
		defer os.Remove(path)
		f.OperatorKeys = path
		fmt.Fprintf(env.stderr, "mqdeck demo --serve: operators are your own keys (%s); --operator-keys/--viewer-keys choose others\n", strings.Join(names, ", "))
	}
	if err := f.check(); err != nil {
		return err
	}
	return runServe(ctx, env, f, d.ReadOnly, cfg, src)
}

// ownKeys writes the user's public keys to a temporary authorized_keys
// file (mode 0600) and returns it with the keys' file names.
func ownKeys() (string, []string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", nil, fmt.Errorf("demo --serve: no home directory for your keys: %w", err)
	}
	pubs, _ := filepath.Glob(filepath.Join(home, ".ssh", "id_*.pub"))
	var buf []byte
	var names []string
	for _, p := range pubs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		buf = append(append(buf, b...), '\n')
		names = append(names, "~/.ssh/"+filepath.Base(p))
	}
	if len(names) == 0 {
		return "", nil, errors.New("demo --serve: no key in ~/.ssh/id_*.pub: create one with ssh-keygen -t ed25519, or give --operator-keys FILE")
	}
	f, err := os.CreateTemp("", "mqdeck-demo-keys-*")
	if err != nil {
		return "", nil, fmt.Errorf("demo --serve: %w", err)
	}
	_, werr := f.Write(buf)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(f.Name())
		return "", nil, fmt.Errorf("demo --serve: %w", werr)
	}
	return f.Name(), names, nil
}
