package benchkit

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ProcStatus reads fields of /proc/<pid>/status in kB (VmRSS, VmHWM, ...);
// pid 0 is this process.
func ProcStatus(pid int, fields ...string) (map[string]int64, error) {
	path := "/proc/self/status"
	if pid > 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("proc status: %w", err)
	}
	defer f.Close()
	want := map[string]bool{}
	for _, k := range fields {
		want[k] = true
	}
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || !want[k] {
			continue
		}
		num := strings.TrimSuffix(strings.TrimSpace(v), " kB")
		n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("proc status %s: %w", k, err)
		}
		out[k] = n
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("proc status: %w", err)
	}
	for _, k := range fields {
		if _, ok := out[k]; !ok {
			return nil, fmt.Errorf("proc status: no %s in %s", k, path)
		}
	}
	return out, nil
}

// RSSMiB is the resident set size of pid (0: self) in MiB.
func RSSMiB(pid int) (float64, error) {
	st, err := ProcStatus(pid, "VmRSS")
	if err != nil {
		return 0, err
	}
	return float64(st["VmRSS"]) / 1024, nil
}

// LoadAvg is the first three fields of /proc/loadavg.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
