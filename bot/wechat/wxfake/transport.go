package wxfake

import (
	"io"
	"net/http"
	"strings"
)

// OrigHostHeader carries the host the library meant to reach (login.wx.qq.com, webpush.wx.qq.com …).
const OrigHostHeader = "X-Wxfake-Host"

// Transport routes every request to the fake. The http.Client's cookie jar still sees the original
// https URLs, so cookies scoped to qq.com (webwx_data_ticket) reach file.wx.qq.com as in production.
func Transport(s *Server) http.RoundTripper {
	base := http.DefaultTransport.(*http.Transport).Clone()
	return &rewrite{s: s, base: base}
}

type rewrite struct {
	s    *Server
	base *http.Transport
}

func (t *rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	t.s.noteAttempt()
	r2 := req.Clone(req.Context())
	r2.Header.Set(OrigHostHeader, req.URL.Host)
	r2.URL.Scheme = "http"
	r2.URL.Host = t.s.Addr()
	r2.Host = t.s.Addr()
	return t.base.RoundTrip(r2)
}

func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}

func copyTo(w *strings.Builder, r io.Reader) (int64, error) { return io.Copy(w, r) }
