package console

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxAdvance is the longest single step of the demo clock: a year and a day, enough to show a
// whole year of windows in one script while a typo ("# advance 3000d") cannot run for minutes.
const MaxAdvance = 366 * 24 * time.Hour

// advanceLine reports whether line is a demo clock line ("# advance 3d") and returns its argument.
// Any other comment, "# advanced users…" included, is not.
func advanceLine(line string) (arg string, ok bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "#")
	if !ok {
		return "", false
	}
	f := strings.Fields(rest)
	if len(f) == 0 || f[0] != "advance" {
		return "", false
	}
	return strings.Join(f[1:], " "), true
}

// ParseAdvance reads the step of "# advance STEP": a whole number followed by m (minutes), h (hours)
// or d (days), e.g. 30m, 2h, 3d; at least a minute and at most MaxAdvance.
func ParseAdvance(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("缺少时长，例如 # advance 3d、# advance 2h、# advance 30m")
	}
	num, unit := s[:len(s)-1], s[len(s)-1:]
	var per time.Duration
	switch unit {
	case "m":
		per = time.Minute
	case "h":
		per = time.Hour
	case "d":
		per = 24 * time.Hour
	default:
		return 0, fmt.Errorf("时长 %q 看不懂：写成整数加 m（分钟）、h（小时）或 d（天），例如 3d", s)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || strings.HasPrefix(num, "+") {
		return 0, fmt.Errorf("时长 %q 看不懂：写成整数加 m（分钟）、h（小时）或 d（天），例如 3d", s)
	}
	if n <= 0 {
		return 0, fmt.Errorf("时长 %q：时钟只能往后拨，至少 1m", s)
	}
	if n > int64(MaxAdvance/per) {
		return 0, fmt.Errorf("时长 %q 太长：一次最多拨 %d 天", s, int(MaxAdvance/(24*time.Hour)))
	}
	return time.Duration(n) * per, nil
}
