package reliability

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// binDir is where TestMain builds the binary: derived from the process id
// so that concurrent runs do not share it and no package variable is needed.
func binDir() string {
	return filepath.Join(os.TempDir(), "mqdeck-reliability-"+strconv.Itoa(os.Getpid()))
}

// mqdeckBin is the binary under test, built by TestMain from this tree.
func mqdeckBin() string { return filepath.Join(binDir(), "mqdeck") }

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if err := os.MkdirAll(binDir(), 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		return 1
	}
	defer os.RemoveAll(binDir())
	if prebuilt := os.Getenv("MQDECK_RELIABILITY_BIN"); prebuilt != "" {
		// A binary built elsewhere (e.g. a snapshot of the tree): link it in.
		if err := os.Symlink(prebuilt, mqdeckBin()); err != nil {
			fmt.Fprintln(os.Stderr, "reliability:", err)
			return 1
		}
		return m.Run()
	}
	// The real program, as a user gets it: no race detector, no test hooks
	// compiled in.
	build := exec.Command("go", "build", "-o", mqdeckBin(), "github.com/mqdeck/mqdeck")
	build.Dir = filepath.Join("..", "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "reliability: go build mqdeck: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}
