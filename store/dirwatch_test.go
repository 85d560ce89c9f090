package store

import "testing"

// TestWritesDirectory: the writes that change what the sender caches hold are spotted; the
// check-in path's own statements, which name pairing_id or people only as columns, are not.
func TestWritesDirectory(t *testing.T) {
	for q, want := range map[string]bool{
		"INSERT INTO `people` (`code`,`name`) VALUES (?,?) ON DUPLICATE KEY UPDATE `name`=VALUES(`name`)": true,
		"UPDATE `pairings` SET `end_on`=?,`updated_at`=? WHERE id = ?":                                    true,
		"DELETE FROM `chat_identities` WHERE id IN (?)":                                                   true,
		"  update households set head_name = ? where id = ?":                                              true,
		"UPDATE `people` SET `account`=(SELECT account FROM `inbox_messages` WHERE id = ?) WHERE id = ?":  true,
		"INSERT INTO `check_ins` (`pairing_id`,`cadre_id`,`household_id`) VALUES (?,?,?) RETURNING `id`":  false,
		"INSERT INTO `audit_logs` (`entity`,`detail`) VALUES (?,?)":                                       false,
		"UPDATE `inbox_messages` SET `status`=?,`person_id`=? WHERE id = ?":                               false,
		"SELECT * FROM `people` WHERE id = ?":                                                             false,
		"UPDATE `peoples_notes` SET x = ?":                                                                false,
	} {
		if got := writesDirectory(q); got != want {
			t.Errorf("writesDirectory(%q) = %v, want %v", q, got, want)
		}
	}
}
