package hanzi_test

import (
	"testing"
	"time"

	"qinqi/internal/hanzi"
)

func TestFold(t *testing.T) {
	start := time.Now()
	f, err := hanzi.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tables built in %s", time.Since(start))
	cases := []struct{ name, in, want string }{
		{"report", "走訪 王春發 送豬仔4頭", "走访 王春发 送猪仔4头"},
		{"units", "雞3隻 米2袋 油1桶 牛奶2箱 衣服3件 紙1提", "鸡3只 米2袋 油1桶 牛奶2箱 衣服3件 纸1提"},
		{"keywords", "送溫暖 辦實事 講政策 聯繫 電話", "送温暖 办实事 讲政策 联系 电话"},
		{"money", "現金伍佰圓 壹萬元 兩千塊錢", "现金伍佰圆 壹万元 两千块钱"},
		{"phrase kept", "乾隆年間", "乾隆年间"},
		{"simplified unchanged", "走访 王春发 送化肥3包 现金500元", "走访 王春发 送化肥3包 现金500元"},
		{"names", "張長青 劉德華 鄭麗 陳國強 歐陽曉東", "张长青 刘德华 郑丽 陈国强 欧阳晓东"},
		{"punctuation and emoji", "房子漏雨（嚴重）👍", "房子漏雨（严重）👍"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.Fold(tc.in); got != tc.want {
				t.Fatalf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFoldSimplifiedIsFree(t *testing.T) {
	f, err := hanzi.New()
	if err != nil {
		t.Fatal(err)
	}
	in := "走访 王春发 送化肥3包 现金500元 帮他定了蔬菜和生猪计划"
	if n := testing.AllocsPerRun(100, func() { _ = f.Fold(in) }); n != 0 {
		t.Fatalf("folding simplified text allocates %.0f times, want 0", n)
	}
}

func BenchmarkFold(b *testing.B) {
	f, err := hanzi.New()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, in string }{
		{"simplified", "走访 王春发 送化肥3包 现金500元 帮他定了蔬菜和生猪计划"},
		{"traditional", "走訪 王春發 送豬仔4頭 現金500元 幫他定了蔬菜和生豬計劃"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = f.Fold(bc.in)
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := hanzi.New(); err != nil {
			b.Fatal(err)
		}
	}
}
