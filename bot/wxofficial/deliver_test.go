package wxofficial_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/bot/wxofficial"
)

// A callback is answered 200 only after the message is durable; a message not yet stored when the
// wait ends gets 503, so the platform sends it again (and its MsgId stores it once).
func TestDeliverAnswersOnlyOnceDurable(t *testing.T) {
	cases := []struct {
		name    string
		handler func(ctx context.Context, m bot.Message)
		wait    time.Duration
		want    int
	}{
		{"stored", func(ctx context.Context, _ bot.Message) { bot.Durable(ctx) }, 2 * time.Second, http.StatusOK},
		{"stored by another goroutine", func(ctx context.Context, _ bot.Message) {
			go func() { time.Sleep(10 * time.Millisecond); bot.Durable(ctx) }()
		}, 2 * time.Second, http.StatusOK},
		{"only queued", func(context.Context, bot.Message) {}, 20 * time.Millisecond, http.StatusServiceUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, "/wecom/callback", nil)
			wxofficial.Deliver(context.Background(), w, r, c.handler, bot.Message{ID: "1"}, c.wait)
			if w.Code != c.want {
				t.Errorf("status %d, want %d", w.Code, c.want)
			}
		})
	}
}
