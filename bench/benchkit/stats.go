package benchkit

import (
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Median of the samples (the mean of the middle two for an even count); 0
// for none.
func Median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Machine describes where the figures come from: cores, CPU model, Go.
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return strings.Join([]string{
		"cores " + strconv.Itoa(runtime.NumCPU()), model, runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		"load " + LoadAvg(),
	}, ", ")
}
