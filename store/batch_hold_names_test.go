package store

import "testing"

// TestWhatFlushesHeldWrites: a statement that names a table held writes go to finds them written
// first; a read or write of other tables (a report's look at earlier check-ins, the sender's
// pairings, the check-in's own INSERT) leaves them held, so a batch keeps one statement per table.
func TestWhatFlushesHeldWrites(t *testing.T) {
	cases := []struct {
		name, q     string
		read, write bool
	}{
		{"earlier check-ins", "SELECT * FROM `check_ins` WHERE cadre_id = ? AND household_id IN (?) ORDER BY occurred_at DESC LIMIT 8", false, false},
		{"the sender's pairings", "SELECT * FROM `pairings` WHERE cadre_id = ?", false, false},
		{"a check-in", "INSERT INTO `check_ins` (`pairing_id`) VALUES (?)", false, false},
		{"an inbound row", "INSERT INTO `inbox_messages` (`transport`) VALUES (?)", true, false},
		{"an inbound row kept once", "INSERT INTO `inbox_messages` (`transport`) VALUES (?) ON DUPLICATE KEY UPDATE id = id", true, true},
		{"audit rows", "SELECT * FROM `audit_logs` WHERE entity = ?", true, true},
		{"a reply by key", "SELECT * FROM `outbox_messages` WHERE `key` = ?", true, true},
		{"a summary joined", "SELECT p.id FROM `pairings` p JOIN `pairing_summaries` s ON s.pairing_id = p.id", true, true},
		{"the done marks' table", "UPDATE `inbox_messages` SET status = ? WHERE id = ?", true, true},
		{"a savepoint", "SAVEPOINT sp1", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := namesHeld(c.q); got != c.read {
				t.Errorf("namesHeld = %v, want %v", got, c.read)
			}
			if got := flushesHeld(c.q); got != c.write {
				t.Errorf("flushesHeld = %v, want %v", got, c.write)
			}
		})
	}
}
