//! Plausible Chinese competitors for demo data: names drawn from real surname
//! frequencies and gender-typical given-name characters, birth dates within a range,
//! and valid 18-character resident identity numbers (GB 11643-1999).
//!
//! Pure and deterministic: the same random number generator state gives the same people.

use std::collections::HashSet;

use chrono::{Days, NaiveDate};
use rand::Rng;

use crate::engine::identity::check_character;
use crate::engine::model::Gender;

/// One generated competitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    /// An 18-character resident identity number, unique within one generated list.
    pub id_number: String,
    /// The 6-digit administrative region code the identity number starts with.
    pub region: String,
}

/// Surnames with rough shares of the population in hundredths of a percent
/// (national household-registration rankings), plus a few surnames common in
/// Zhejiang and a few rare two-character surnames.
const SURNAMES: &[(&str, u32)] = &[
    ("王", 725),
    ("李", 720),
    ("张", 680),
    ("刘", 510),
    ("陈", 450),
    ("杨", 330),
    ("黄", 240),
    ("赵", 200),
    ("吴", 190),
    ("周", 185),
    ("徐", 145),
    ("孙", 140),
    ("马", 135),
    ("朱", 130),
    ("胡", 115),
    ("郭", 115),
    ("何", 105),
    ("林", 100),
    ("高", 100),
    ("罗", 98),
    ("郑", 90),
    ("梁", 85),
    ("谢", 75),
    ("宋", 70),
    ("唐", 70),
    ("许", 65),
    ("韩", 65),
    ("冯", 60),
    ("邓", 60),
    ("曹", 55),
    ("彭", 50),
    ("曾", 50),
    ("肖", 50),
    ("田", 45),
    ("董", 45),
    ("袁", 45),
    ("潘", 42),
    ("于", 42),
    ("蒋", 42),
    ("蔡", 42),
    ("余", 40),
    ("杜", 40),
    ("叶", 40),
    ("程", 38),
    ("苏", 36),
    ("魏", 36),
    ("吕", 35),
    ("丁", 34),
    ("任", 33),
    ("沈", 32),
    ("姚", 31),
    ("卢", 31),
    ("姜", 29),
    ("崔", 28),
    ("钟", 28),
    ("谭", 27),
    ("陆", 27),
    ("汪", 26),
    ("范", 26),
    ("金", 26),
    ("石", 25),
    ("廖", 24),
    ("贾", 24),
    ("夏", 23),
    ("韦", 23),
    ("付", 22),
    ("方", 22),
    ("白", 21),
    ("邹", 21),
    ("孟", 20),
    ("熊", 20),
    ("秦", 20),
    ("邱", 20),
    ("江", 19),
    ("尹", 19),
    ("薛", 18),
    ("闫", 18),
    ("段", 17),
    ("雷", 17),
    ("侯", 16),
    ("龙", 16),
    ("史", 16),
    ("陶", 15),
    ("黎", 15),
    ("贺", 15),
    ("顾", 15),
    ("毛", 15),
    ("郝", 14),
    ("龚", 14),
    ("邵", 14),
    ("万", 13),
    ("钱", 13),
    ("严", 13),
    ("武", 12),
    ("戴", 12),
    ("莫", 11),
    ("孔", 11),
    ("向", 11),
    ("汤", 11),
    ("俞", 8),
    ("章", 8),
    ("应", 5),
    ("楼", 3),
    ("欧阳", 3),
    ("司马", 1),
    ("上官", 1),
    ("诸葛", 1),
    ("司徒", 1),
];

/// Characters common in men's given names.
const MALE_GIVEN: &str =
    "伟强磊军洋勇杰涛明超浩宇鹏斌辉刚健平波峰建华国东文海俊飞亮凯龙鑫晨阳博帅毅坤兵锋\
成祥荣志德胜林彬振冬新永金庆春忠立宏翔昊然轩航睿哲嘉鸿力义兴良洪勤江松山岩森栋铭聪坚\
奇骏豪泽天宁泉彪旭卫民福顺发达贵";

/// Characters common in women's given names.
const FEMALE_GIVEN: &str =
    "芳娜敏静丽艳婷雪慧颖娟霞玲燕琳洁红梅莉萍倩欣璐佳琪瑶怡婉晶蕾丹菲露琴兰凤秀英妍\
茜月悦彤薇媛梦雯岚莹晴爽娇翠桂珍玉萌蓉馨雅诗思琦琼璇瑾冰妮姗珊楠婕淑贞虹莺柳荷蓓彩\
瑜晓云霏";

/// Share of men among competitors in these trades, in percent.
const MALE_PERCENT: u32 = 80;

/// Share of two-character given names, in percent.
const TWO_CHARACTER_GIVEN_PERCENT: u32 = 70;

/// How many draws to allow per requested person before giving up on a nearly
/// exhausted space of identity numbers.
const ATTEMPTS_PER_PERSON: usize = 50;

/// Generates up to `count` people with distinct identity numbers.
///
/// Each person's region is drawn uniformly from `regions` (entries that are not
/// 6 ASCII digits are ignored) and their birth date uniformly from the inclusive
/// range `born_between` (given in either order). The result has exactly `count`
/// people unless there are no usable regions (then it is empty) or the identity
/// numbers available (500 per gender, region and birth date) run out.
pub fn generate_people(
    rng: &mut impl Rng,
    regions: &[String],
    count: usize,
    born_between: (NaiveDate, NaiveDate),
) -> Vec<Person> {
    let regions: Vec<&str> = regions
        .iter()
        .map(String::as_str)
        .filter(|r| is_region_code(r))
        .collect();
    if regions.is_empty() {
        return Vec::new();
    }
    let (earliest, latest) = if born_between.0 <= born_between.1 {
        born_between
    } else {
        (born_between.1, born_between.0)
    };
    let span_days = latest
        .signed_duration_since(earliest)
        .num_days()
        .unsigned_abs();
    let male_given: Vec<char> = MALE_GIVEN.chars().collect();
    let female_given: Vec<char> = FEMALE_GIVEN.chars().collect();

    let mut seen = HashSet::new();
    let mut people = Vec::with_capacity(count);
    let mut attempts_left = count.saturating_mul(ATTEMPTS_PER_PERSON);
    while people.len() < count && attempts_left > 0 {
        attempts_left -= 1;
        let gender = if rng.gen_range(0..100) < MALE_PERCENT {
            Gender::Male
        } else {
            Gender::Female
        };
        let Some(birth_date) = earliest.checked_add_days(Days::new(rng.gen_range(0..=span_days)))
        else {
            continue;
        };
        let region = regions[rng.gen_range(0..regions.len())];
        let sequence: u32 = rng.gen_range(0..100);
        let gender_digit = 2 * rng.gen_range(0..5u32)
            + match gender {
                Gender::Male => 1,
                Gender::Female => 0,
            };
        let first17 = format!(
            "{region}{}{sequence:02}{gender_digit}",
            birth_date.format("%Y%m%d")
        );
        let Some(check) = check_character(&first17) else {
            continue;
        };
        let id_number = format!("{first17}{check}");
        if !seen.insert(id_number.clone()) {
            continue;
        }
        let given = match gender {
            Gender::Male => &male_given,
            Gender::Female => &female_given,
        };
        let name = format!("{}{}", pick_surname(rng), pick_given_name(rng, given));
        people.push(Person {
            name,
            gender,
            birth_date,
            id_number,
            region: region.to_string(),
        });
    }
    people
}

fn is_region_code(text: &str) -> bool {
    text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())
}

fn pick_surname(rng: &mut impl Rng) -> &'static str {
    let total: u32 = SURNAMES.iter().map(|&(_, weight)| weight).sum();
    let mut ticket = rng.gen_range(0..total);
    for &(surname, weight) in SURNAMES {
        if ticket < weight {
            return surname;
        }
        ticket -= weight;
    }
    SURNAMES[0].0
}

/// One or two distinct characters from `pool`, which must hold at least two.
fn pick_given_name(rng: &mut impl Rng, pool: &[char]) -> String {
    let first = rng.gen_range(0..pool.len());
    let mut name = String::from(pool[first]);
    if rng.gen_range(0..100) < TWO_CHARACTER_GIVEN_PERCENT {
        let mut second = rng.gen_range(0..pool.len() - 1);
        if second >= first {
            second += 1;
        }
        name.push(pool[second]);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn regions() -> Vec<String> {
        ["330106", "330206", "330382"]
            .iter()
            .map(|r| r.to_string())
            .collect()
    }

    fn sample(seed: u64, count: usize) -> Vec<Person> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        generate_people(
            &mut rng,
            &regions(),
            count,
            (d(1966, 1, 1), d(2008, 12, 31)),
        )
    }

    /// ISO 7064 MOD 11-2 validation, independent of `check_character`: the
    /// weighted sum of all 18 characters (X = 10) is 1 modulo 11.
    fn checksum_valid(id: &str) -> bool {
        let chars: Vec<char> = id.chars().collect();
        if chars.len() != 18 {
            return false;
        }
        let mut sum = 0u64;
        for (i, c) in chars.iter().enumerate() {
            let value = match (i, c) {
                (17, 'X') => 10,
                _ => match c.to_digit(10) {
                    Some(v) => u64::from(v),
                    None => return false,
                },
            };
            let weight = (1u64 << (17 - i)) % 11;
            sum += value * weight;
        }
        sum % 11 == 1
    }

    #[test]
    fn same_seed_gives_same_people() {
        assert_eq!(sample(20260925, 300), sample(20260925, 300));
        assert_ne!(sample(20260925, 300), sample(20260926, 300));
    }

    #[test]
    fn gives_the_requested_count_with_unique_id_numbers() {
        let people = sample(1, 3000);
        assert_eq!(people.len(), 3000);
        let ids: HashSet<&str> = people.iter().map(|p| p.id_number.as_str()).collect();
        assert_eq!(ids.len(), people.len());
    }

    #[test]
    fn id_numbers_are_valid_and_agree_with_the_person() {
        for p in sample(2, 2000) {
            let id = &p.id_number;
            assert!(checksum_valid(id), "{id}");
            assert_eq!(&id[..6], p.region);
            assert!(regions().contains(&p.region));
            assert_eq!(&id[6..14], p.birth_date.format("%Y%m%d").to_string());
            let gender_digit = id[16..17].parse::<u32>().unwrap();
            let expected = match p.gender {
                Gender::Male => 1,
                Gender::Female => 0,
            };
            assert_eq!(gender_digit % 2, expected, "{id}");
        }
    }

    #[test]
    fn birth_dates_lie_within_the_range_in_either_order() {
        let (from, to) = (d(1990, 3, 1), d(1990, 3, 31));
        for range in [(from, to), (to, from)] {
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            let people = generate_people(&mut rng, &regions(), 500, range);
            assert_eq!(people.len(), 500);
            assert!(people
                .iter()
                .all(|p| p.birth_date >= from && p.birth_date <= to));
            assert!(people.iter().any(|p| p.birth_date == from));
            assert!(people.iter().any(|p| p.birth_date == to));
        }
    }

    #[test]
    fn names_are_plausible() {
        let people = sample(4, 2000);
        let male: HashSet<char> = MALE_GIVEN.chars().collect();
        let female: HashSet<char> = FEMALE_GIVEN.chars().collect();
        let mut two_character_given = 0;
        for p in &people {
            let chars = p.name.chars().count();
            assert!((2..=4).contains(&chars), "{}", p.name);
            let surname = SURNAMES
                .iter()
                .map(|&(s, _)| s)
                .filter(|s| p.name.starts_with(s))
                .max_by_key(|s| s.chars().count())
                .unwrap();
            let given: Vec<char> = p.name[surname.len()..].chars().collect();
            let pool = match p.gender {
                Gender::Male => &male,
                Gender::Female => &female,
            };
            assert!(given.iter().all(|c| pool.contains(c)), "{}", p.name);
            if given.len() == 2 {
                two_character_given += 1;
            }
        }
        let men = people.iter().filter(|p| p.gender == Gender::Male).count();
        assert!((1500..=1700).contains(&men), "{men} men of 2000");
        assert!(
            (1300..=1500).contains(&two_character_given),
            "{two_character_given} two-character given names of 2000"
        );
        let wang = people.iter().filter(|p| p.name.starts_with('王')).count();
        let lu = people.iter().filter(|p| p.name.starts_with('陆')).count();
        assert!(wang > 4 * lu, "王 {wang}, 陆 {lu}");
    }

    #[test]
    fn tables_are_large_and_free_of_duplicates() {
        let surnames: HashSet<&str> = SURNAMES.iter().map(|&(s, _)| s).collect();
        assert_eq!(surnames.len(), SURNAMES.len());
        assert!(surnames.len() >= 60);
        assert!(SURNAMES.iter().any(|&(s, _)| s.chars().count() == 2));
        for pool in [MALE_GIVEN, FEMALE_GIVEN] {
            let unique: HashSet<char> = pool.chars().collect();
            assert_eq!(unique.len(), pool.chars().count(), "{pool}");
            assert!(unique.len() >= 80, "{} in {pool}", unique.len());
        }
    }

    #[test]
    fn exhausted_identity_space_gives_fewer_unique_people() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let day = d(2000, 1, 1);
        let people = generate_people(&mut rng, &["330106".to_string()], 1200, (day, day));
        assert!(people.len() <= 1000);
        let ids: HashSet<&str> = people.iter().map(|p| p.id_number.as_str()).collect();
        assert_eq!(ids.len(), people.len());
    }

    #[test]
    fn no_usable_region_gives_nobody() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let range = (d(1990, 1, 1), d(2000, 1, 1));
        assert!(generate_people(&mut rng, &[], 10, range).is_empty());
        let bad = vec!["3301".to_string(), "33010x".to_string()];
        assert!(generate_people(&mut rng, &bad, 10, range).is_empty());
    }
}
