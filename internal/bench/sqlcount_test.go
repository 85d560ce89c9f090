package bench

import (
	"slices"
	"testing"
)

// The counting relay counts each statement of a multi-statement packet, and a ';' inside a value
// the driver interpolated (quoted, with backslash escapes) is not a boundary.
func TestStatementsOfAPacket(t *testing.T) {
	q := "START TRANSACTION;INSERT INTO `inbox_messages` (`text`) VALUES ('a;b\\';c'),(\"d;\");COMMIT"
	got := make([]string, 0, 3)
	for _, s := range statementsOf(q) {
		got = append(got, sqlLabel(s))
	}
	if want := []string{"BEGIN", "INSERT inbox_messages", "COMMIT"}; !slices.Equal(got, want) {
		t.Errorf("labels %q, want %q", got, want)
	}
}
