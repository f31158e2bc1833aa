/**
 * Built-in term lists for the always-on content rules. Entries are written plainly; they go through
 * the same normalization as prompts, and match whole words (plural "s"/"es" and stretched letters
 * like "nuuude" included). Words that are innocent in common phrases are left out on purpose
 * ("tits" are birds, "cock" a rooster, "sperm" a whale, "breast" a chicken's), and so are
 * two-letter slang ("cp", "jk"), which collides with everything.
 */

/** Sexual content involving minors by definition: refused on sight. */
export const MINOR_SEXUAL_TERMS = [
  'lolicon', 'shotacon', 'toddlercon', 'jailbait', 'cunny', 'pedo', 'pedos', 'pedophile', 'pedophilia',
  'paedo', 'paedophile', 'paedophilia', 'pedobear', 'child porn', 'kiddie porn', 'kiddy porn', 'pthc', 'csam',
  'child abuse material', 'underage sex',
];

/**
 * Distinctive sequences searched without word boundaries in the squashed form, to catch them split
 * up ("lo li con", "child-p0rn"). Each is long or unusual enough that no innocent word or word
 * pair produces it.
 */
export const MINOR_SEXUAL_SEQUENCES = [
  'lolicon', 'shotacon', 'toddlercon', 'childporn', 'kiddieporn', 'kiddyporn', 'jailbait', 'pedophil', 'paedophil',
];
export const EXPLICIT_SEQUENCES = ['nsfw', 'porn'];

/** Archetype words that mean a sexualized child; refused with any sexual, suggestive or intimate context. */
export const DEDICATED_MINOR_TERMS = ['loli', 'shota', 'youjo'];

/**
 * Words for children; refused with sexual or suggestive context, fine otherwise. 'lolita' is here
 * rather than with the archetypes because Lolita fashion is an everyday anime style.
 */
export const MINOR_TERMS = [
  'child', 'children', 'childs', 'kid', 'kiddo', 'kiddie', 'kiddy', 'minor', 'minors', 'underage', 'under age',
  'underaged', 'toddler', 'infant', 'baby', 'babies', 'newborn', 'preteen', 'pre teen', 'tween', 'teen', 'teenage',
  'teenager', 'young teen', 'youngster', 'schoolgirl', 'schoolboy', 'school girl', 'school boy', 'school uniform',
  'elementary school', 'elementary schooler', 'primary school', 'grade school', 'grade schooler', 'middle school',
  'middle schooler', 'junior high', 'high school', 'highschool', 'high schooler', 'highschooler', 'kindergarten',
  'kindergartener', 'kindergartner', 'preschool', 'preschooler', 'young girl', 'young boy', 'little girl',
  'little boy', 'small girl', 'small boy', 'girl child', 'boy child', 'juvenile', 'pubescent', 'prepubescent',
  'pre pubescent', 'childlike', 'child like', 'randoseru', 'lolita', 'shougakusei', 'shogakusei', 'chuugakusei', 'chugakusei',
];

/** Sexual or nude content: needs an NSFW channel or space, and is always refused with minors. */
export const EXPLICIT_TERMS = [
  'nude', 'nudity', 'naked', 'nakedness', 'nsfw', 'not safe for work', 'explicit', 'sex', 'sexual', 'sexually',
  'sexualized', 'sexualised', 'porn', 'porno', 'pornography', 'pornographic', 'pron', 'hentai', 'ecchi', 'lewd',
  'xxx', 'erotic', 'erotica', 'topless', 'bottomless', 'nipple', 'areola', 'areolae', 'genital', 'genitalia',
  'penis', 'vagina', 'vulva', 'clitoris', 'testicles', 'scrotum', 'anus', 'anal', 'orgasm', 'masturbate',
  'masturbating', 'masturbation', 'intercourse', 'fellatio', 'blowjob', 'handjob', 'footjob', 'paizuri',
  'cunnilingus', 'cumshot', 'creampie', 'ejaculation', 'ejaculating', 'semen', 'bukkake', 'gangbang', 'orgy',
  'threesome', 'bdsm', 'bondage', 'rape', 'raped', 'raping', 'molest', 'molested', 'molesting', 'molestation',
  'grope', 'groped', 'groping', 'upskirt', 'pantyshot', 'ahegao', 'futanari', 'uncensored', 'undressed',
  'undressing', 'unclothed', 'striptease', 'stripper', 'nudist', 'naturist', 'skinny dipping', 'no clothes',
  'without clothes', 'no clothing', 'wearing nothing', 'birthday suit', 'bare breasts', 'exposed breasts',
  'lap dance', 'sex toy', 'dildo', 'condom', 'cameltoe',
];

/** Suggestive: fine on their own in any channel, refused with minors. */
export const SUGGESTIVE_TERMS = [
  'sexy', 'seductive', 'seduce', 'seducing', 'seduction', 'lingerie', 'underwear', 'panties', 'panty', 'pantsu',
  'thong', 'bra', 'garter', 'garter belt', 'provocative', 'sensual', 'sultry', 'cleavage', 'breasts', 'boobs',
  'busty', 'big breasts', 'flat chest', 'spread legs', 'legs spread', 'spreading legs', 'bedroom eyes',
  'on all fours', 'suggestive', 'fanservice', 'fan service', 'see through', 'seethrough', 'skimpy', 'revealing',
  'aroused', 'horny', 'lustful', 'lust', 'fetish', 'kinky', 'skirt lift', 'lifting skirt', 'crotch', 'thighs',
  'pinup', 'pin up', 'flirty', 'flirting', 'pole dance', 'gravure', 'bulge', 'oppai',
];

/** Everyday intimacy and swimwear: harmless with "kids", refused with an archetype word like "loli". */
export const INTIMATE_TERMS = [
  'bikini', 'swimsuit', 'swimwear', 'school swimsuit', 'sukumizu', 'bath', 'bathing', 'bathtub', 'shower',
  'showering', 'kiss', 'kissing', 'bed', 'bedroom', 'pajamas', 'pyjamas', 'nightgown', 'towel', 'wet', 'feet',
  'barefoot', 'legs', 'blush', 'blushing', 'embrace', 'cuddle', 'cuddling',
];

/** In the negative prompt of a sexual request, these ask the model for someone who is not an adult. */
export const ADULT_TERMS = ['adult', 'adults', 'grown up', 'grownup', 'adult body', 'mature body', 'adult woman', 'adult man'];

/** Japanese terms, matched as substrings because Japanese is written without spaces. */
export const CJK_MINOR_SEXUAL = ['ロリコン', 'ショタコン', '児童ポルノ'];
export const CJK_DEDICATED_MINOR = ['ロリ', 'ショタ', '幼女'];
export const CJK_MINOR = ['幼児', '小学生', '中学生', '児童', '子供', '子ども', 'こども', '園児'];
export const CJK_EXPLICIT = ['ヌード', '全裸', '裸体', 'エロ', 'セックス', '性交', '18禁', 'エッチ', '無修正'];

/** Number words for ages under 18, for "twelve year old". */
export const UNDERAGE_NUMBER_WORDS = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen',
];
