package bot

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"qinqi/store"
)

// Sizes at the door, in bytes of UTF-8: what every supported database holds. MySQL and MariaDB
// count a utf8mb4 varchar(N) in characters and SQLite keeps any length, so N bytes fit everywhere.
// What is only metadata (a location's label, a nickname, a file's name, a friend request's
// greeting) is cut; what the person wrote or sent and cannot be cut without changing it (the text,
// a stored file's reference, a position) is refused with a reply. Nothing is refused silently.
const (
	maxTextBytes      = 4000 // inbox_messages.text
	maxLabelBytes     = 255  // a location's label, a file's name
	maxNameBytes      = 255  // the sender's nickname (identity keeps its first 64 characters)
	maxRefBytes       = 255  // a media reference: check_ins.photo_ref and requests.media_ref hold 255
	maxIDBytes        = 64   // inbox_messages.msg_id: a longer transport id is replaced by a digest
	maxKeyBytes       = 128  // sender and group keys: inbox_messages.sender_key, outbox_messages.to_key
	maxAccountBytes   = 64   // bot account names
	maxTransportBytes = 16   // transport names
	maxPayloadBytes   = 4000 // inbox_messages.payload, the JSON of the message without its text
	// keepBytes caps what is carried to the door's verdict (queue, spool): far above every limit, so
	// an over-long text is still refused, yet a runaway message cannot fill memory or the spool.
	keepBytes = 64 << 10
	// charsPerLimit is how many Chinese characters the text limit allows, for the reply.
	charsPerLimit = maxTextBytes / 3
)

// errUnstorable marks a message no column can hold as the transport named it (a key longer than any
// column); only the transport can cause it.
var errUnstorable = errors.New("inbox: message cannot be stored")

// admit makes m safe to queue, spool and store: every string valid UTF-8, metadata cut to its
// column, a long transport id replaced by a digest (so handlers' idempotency keys fit too), and the
// content capped at keepBytes. Content over its limit is left over it: saving refuses it (doorVerdict).
func admit(m Message) (Message, error) {
	if len(m.Transport) > maxTransportBytes || len(m.Account) > maxAccountBytes ||
		len(m.SenderKey) > maxKeyBytes || len(m.GroupKey) > maxKeyBytes {
		return m, fmt.Errorf("%w: a transport, account or chat key longer than its column", errUnstorable)
	}
	m.Text = cutBytes(strings.ToValidUTF8(m.Text, "\uFFFD"), keepBytes)
	m.MediaRef = cutBytes(strings.ToValidUTF8(m.MediaRef, "\uFFFD"), keepBytes)
	m.Label = cutBytes(plain(m.Label), maxLabelBytes)
	m.SenderName = cutBytes(plain(m.SenderName), maxNameBytes)
	switch m.Kind {
	case KindLocation: // the text of a location is its label
		m.Text = cutBytes(plain(m.Text), maxLabelBytes)
		if !validPosition(m.Lat, m.Lng) {
			m.Lat, m.Lng = 0, 0 // refused by doorVerdict; NaN would not even encode
		}
	case KindFile: // the text of a file is its name
		m.Text = cutBytes(plain(m.Text), maxLabelBytes)
	case KindFriendRequest: // the greeting only carries a bind code
		m.Text = cutBytes(m.Text, maxTextBytes)
	}
	if m.ID == "" || len(m.ID) > maxIDBytes || !utf8.ValidString(m.ID) {
		sum := sha1.Sum([]byte(m.SenderKey + "\x00" + m.Text + "\x00" + m.Time.UTC().Format("2006-01-02T15:04:05.999999999") + "\x00" + m.ID))
		m.ID = "h" + hex.EncodeToString(sum[:16])
	}
	return m, nil
}

// door is the door's verdict on a stored message, kept in its payload so a row handled again after
// a restart ends the same way.
type door struct {
	Refused     string `json:",omitempty"` // the reply refusing the message as sent
	Quarantined string `json:",omitempty"` // why the database would not store it: only its keys were kept
}

// doorVerdict is the reply that refuses m as sent, or "".
func doorVerdict(m Message) string {
	switch {
	case len(m.Text) > maxTextBytes:
		return fmt.Sprintf(msgTooLong, utf8.RuneCountInString(m.Text), charsPerLimit)
	case len(m.MediaRef) > maxRefBytes:
		return msgFileNameTooLong
	case m.Kind == KindLocation && m.Lat == 0 && m.Lng == 0:
		return msgBadLocation
	}
	return ""
}

// stored is what the payload column keeps: the message without its text, and the door's verdict.
type stored struct {
	Message
	door
}

// encodePayload is the payload of m; HTML characters stay as they are, so the size stays near the
// bounds above. A payload still over its column (control characters in keys inflate sixfold) drops
// the nickname and the label before giving up.
func encodePayload(m Message, d door) (string, error) {
	p := stored{Message: m, door: d}
	p.Text = ""
	for range 2 {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(p); err != nil {
			return "", fmt.Errorf("inbox: encode: %w", err)
		}
		if out := strings.TrimSuffix(b.String(), "\n"); len(out) <= maxPayloadBytes {
			return out, nil
		}
		p.SenderName, p.Label = "", ""
	}
	return "", fmt.Errorf("%w: payload over %d bytes: %w", errUnstorable, maxPayloadBytes, store.ErrData)
}

// decodePayload reads a row's payload back into the message and the door's verdict.
func decodePayload(row store.InboxMessage) (Message, door, error) {
	var p stored
	if err := json.Unmarshal([]byte(row.Payload), &p); err != nil {
		return Message{}, door{}, err
	}
	p.Message.Text = row.Text
	return p.Message, p.door, nil
}

func validPosition(lat, lng float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lng) && math.Abs(lat) <= 90 && math.Abs(lng) <= 180 && (lat != 0 || lng != 0)
}

// plain is s as valid UTF-8 without control characters (which metadata never needs).
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// cutBytes cuts s to at most n bytes without splitting a character.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
