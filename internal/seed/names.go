package seed

import "math/rand/v2"

// Surnames roughly by frequency (the first ones appear most); a few 多音字 surnames are included on
// purpose so initials lookups get exercised (曾 单 解 仇 查).
var surnames = []string{
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
	"余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
	"石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
	"单", "解", "仇", "查",
}

// givenChars are characters common in rural given names of the 1940s–2000s.
var givenChars = []rune("春发建国秀英桂兰德福金花长顺水根玉梅小红海燕志强丽华文斌伟明红梅凤英家旺根生大勇福来" +
	"老四庆云永平淑珍翠兰宝山荣华明亮晓东秋菊雪梅冬生保国军民爱玲美霞中华立新振兴丰收桃李木林树森")

// name draws a plausible name: a weighted surname and one or two given characters.
func name(r *rand.Rand) string {
	// squaring the draw skews towards the common surnames at the front
	f := r.Float64()
	s := surnames[int(f*f*float64(len(surnames)))]
	n := 2
	if r.IntN(5) == 0 {
		n = 1
	}
	out := []rune(s)
	for range n {
		out = append(out, givenChars[r.IntN(len(givenChars))])
	}
	return string(out)
}

// Place-name parts for townships and villages.
var (
	placeFirst  = []rune("石柳桃李杨梅花青白黄龙凤马牛鹿泉溪河湖山岭坪坝塘桥田庄岗峰竹松枫")
	placeSecond = []rune("桥溪山岭坪坝塘湾口沟冲头庄园岗林源洲堡铺寨")
)

func placeName(r *rand.Rand, suffix string) string {
	return string([]rune{placeFirst[r.IntN(len(placeFirst))], placeSecond[r.IntN(len(placeSecond))]}) + suffix
}

// Unit names for the offices that send cadres.
var unitNames = []string{
	"县委办公室", "县政府办公室", "县委组织部", "县委宣传部", "县发展和改革局", "县教育局", "县公安局", "县民政局",
	"县财政局", "县人力资源和社会保障局", "县自然资源局", "县住房和城乡建设局", "县交通运输局", "县水利局",
	"县农业农村局", "县商务局", "县文化和旅游局", "县卫生健康委员会", "县退役军人事务局", "县应急管理局",
	"县审计局", "县市场监督管理局", "县医疗保障局", "县乡村振兴局", "县供销合作社", "县总工会", "团县委", "县妇联",
	"县残联", "县人民医院", "县中医院", "县第一中学", "县农商银行", "县供电公司", "县税务局", "县统计局",
}

var subUnitNames = []string{"办公室", "综合科", "业务一科", "业务二科", "机关党支部", "第一党支部"}
