package wechat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/eatmoreapple/openwechat"
)

// hotStorage is the hot-login file for one login attempt (the library reads a storage object once
// and then only writes it). Compared with openwechat's file storage it:
//   - writes atomically with mode 0600 (the dump holds session cookies),
//   - keeps the cookie jar of the file it read when a later dump has an empty jar: after a hot login
//     the library re-exports no cookies, so the next dump would lose webwx_data_ticket,
//   - restores each cookie for the file. and webpush. hosts as well: the dump lists cookies by host
//     without their Domain, so webwx_data_ticket (Domain=qq.com) would otherwise come back only for
//     wx.qq.com and file uploads after a hot login fail with "webwx_data_ticket not found",
//   - ignores writes once retired, so a dying login cannot overwrite what the next one saved.
type hotStorage struct {
	path string

	mu      sync.Mutex
	r       *bytes.Reader
	jar     json.RawMessage
	retired bool
}

func newHotStorage(path string) *hotStorage { return &hotStorage{path: path} }

func (h *hotStorage) Read(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.r == nil {
		data, err := os.ReadFile(h.path)
		if os.IsNotExist(err) {
			return 0, openwechat.ErrInvalidStorage
		}
		if err != nil {
			return 0, fmt.Errorf("wechat: read hot-login file: %w", err)
		}
		if jar := expandJar(jarOf(data)); jar != nil {
			h.jar = jar
			data = withJar(data, jar)
		}
		h.r = bytes.NewReader(data)
	}
	return h.r.Read(p)
}

func (h *hotStorage) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.retired {
		return len(p), nil
	}
	data := p
	if jar := jarOf(p); jar != nil {
		h.jar = jar
	} else if h.jar != nil {
		data = withJar(p, h.jar)
	}
	if err := writeFileAtomic(h.path, data); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *hotStorage) retire() {
	h.mu.Lock()
	h.retired = true
	h.mu.Unlock()
}

// jarOf returns the dump's cookie jar, or nil when it is missing or empty.
func jarOf(dump []byte) json.RawMessage {
	var item map[string]json.RawMessage
	if json.Unmarshal(dump, &item) != nil {
		return nil
	}
	var cookies map[string][]json.RawMessage
	if json.Unmarshal(item["Jar"], &cookies) != nil {
		return nil
	}
	for _, cs := range cookies {
		if len(cs) > 0 {
			return item["Jar"]
		}
	}
	return nil
}

// expandJar copies the cookies of each base host (wx.qq.com) to its file. and webpush. hosts.
func expandJar(jar json.RawMessage) json.RawMessage {
	if jar == nil {
		return nil
	}
	var cookies map[string][]json.RawMessage
	if json.Unmarshal(jar, &cookies) != nil {
		return jar
	}
	for _, base := range slices.Sorted(maps.Keys(cookies)) {
		u, err := url.Parse(base)
		if err != nil || u.Host == "" || strings.HasPrefix(u.Host, "file.") || strings.HasPrefix(u.Host, "webpush.") {
			continue
		}
		for _, sub := range []string{"file.", "webpush."} {
			key := u.Scheme + "://" + sub + u.Host
			if _, ok := cookies[key]; !ok {
				cookies[key] = cookies[base]
			}
		}
	}
	out, err := json.Marshal(cookies)
	if err != nil {
		return jar
	}
	return out
}

func withJar(dump []byte, jar json.RawMessage) []byte {
	var item map[string]json.RawMessage
	if json.Unmarshal(dump, &item) != nil {
		return dump
	}
	item["Jar"] = jar
	out, err := json.Marshal(item)
	if err != nil {
		return dump
	}
	return append(out, '\n')
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("wechat: hot-login directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".hotlogin-*")
	if err != nil {
		return fmt.Errorf("wechat: hot-login temp file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("wechat: write hot-login file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("wechat: write hot-login file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("wechat: replace hot-login file: %w", err)
	}
	return nil
}
