package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// A replay file that cannot be read is a file failure: exit 1 and one
// line, as the README says ("1 failed (the connection, a file)"); kong's
// existingfile check made a missing file a usage error, exit 2.
func TestReplayFileFailuresExit1(t *testing.T) {
	if !strings.Contains(readme(t), "1 failed (the\nconnection, a file)") && !strings.Contains(readme(t), "1 failed (the connection, a file)") {
		t.Fatal("README no longer says file failures exit 1: update this test with it")
	}
	dir := t.TempDir()
	for _, file := range []string{filepath.Join(dir, "missing.jsonl"), dir} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"replay", file}, &stdout, &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != exitFailure || len(lines) != 1 || !strings.Contains(lines[0], file) {
			t.Errorf("replay %s: exit %d, stderr %q; want exit %d and one line naming the file", file, code, stderr.String(), exitFailure)
		}
	}
}
