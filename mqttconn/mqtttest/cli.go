package mqtttest

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// PubCLI runs mosquitto_pub (a client nobody here wrote) with args and
// returns its combined output. A non-zero exit fails the test.
func PubCLI(t testing.TB, args ...string) string {
	t.Helper()
	return runCLI(t, "mosquitto_pub", args)
}

// SubCLI runs mosquitto_sub with args (give it -C N or -W SECS so it ends)
// and returns its combined output.
func SubCLI(t testing.TB, args ...string) string {
	t.Helper()
	return runCLI(t, "mosquitto_sub", args)
}

func runCLI(t testing.TB, name string, args []string) string {
	t.Helper()
	bin := lookTool(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// runCLIAllowFail is runCLI for commands expected to fail or time out.
func runCLIAllowFail(t testing.TB, timeout time.Duration, name string, args ...string) (string, error) {
	t.Helper()
	bin := lookTool(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	return string(out), err
}

// SubCLIQuiet runs mosquitto_sub from a goroutine other than the test's:
// it returns the output, or the error text, and never calls t.Fatal.
func SubCLIQuiet(args ...string) string {
	bin, err := exec.LookPath("mosquitto_sub")
	if err != nil {
		return err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return err.Error() + ": " + string(out)
	}
	return string(out)
}
