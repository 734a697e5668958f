//! The honours pages on both databases: a programme uploaded, nominated
//! for (one person refused with every reason), reviewed, proposed with its
//! frontline share, confirmed, in public notice in both languages, objected
//! to, the objection upheld, and the list's second version shown.

mod common;
use common::honours::{
    actor, nominate, programme_text, register_people, review_published, set_people_attributes,
    REVIEW_ERRORS,
};
use common::pages::Visitor;
use common::{Backend, TestServer};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

/// The id in a `/organise/honours/{id}?…` or `/honours/{id}…` address.
fn id_in(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location}"))
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The number after `marker` in the page.
fn number_after(html: &str, marker: &str) -> i64 {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in page"));
    html[at + marker.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

fn from_programme_to_a_second_list(backend: Backend) {
    let s = TestServer::start(backend);
    let people = register_people(&s);
    {
        let conn = &mut s.db.connect();
        set_people_attributes(conn, &people);
    }

    // The awarding organisation uploads the programme; a broken file is
    // refused on the page, in the reader's language.
    let mut zj = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let list = zj.get("/organise");
    assert!(list.html.contains("href=\"/organise/honours\""));
    assert_eq!(zj.get("/organise/honours").status, 200);
    let broken = programme_text("ZJ-CRAFT-P", 2).replace("places = 2", "places = 0");
    let p = zj.post(
        "/organise/honours",
        &[("programme", broken.as_str()), ("reason", "")],
    );
    assert_eq!(p.status, 422, "{}", p.text());
    assert!(p.html.contains("id=\"refused\""), "{}", p.text());
    assert!(
        p.html.contains("places = 0"),
        "the file comes back as typed"
    );
    let text = programme_text("ZJ-CRAFT-P", 2);
    let p = zj.post(
        "/organise/honours",
        &[("programme", text.as_str()), ("reason", "年度评选")],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let id = id_in(p.location.as_deref().unwrap(), "/organise/honours/");
    let page = zj.get(&format!("/organise/honours/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.text().contains("2026年度浙江工匠"), "{}", page.text());
    assert!(page.html.contains("data-stage=\"nominating\""));

    // Hangzhou nominates: the student without years of service is refused
    // with each reason on its own line, first by the check, then by the
    // nomination itself.
    let mut hz = Visitor::signed_in(&s, &s.world.city_organiser, "en");
    let page = hz.get(&format!("/honours/{id}/nominate"));
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(
        page.text().contains("0 of 2 used, 2 left"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("孙悦 · Hangzhou Turbine"));
    assert!(
        !page.text().contains("陈静"),
        "Hangzhou chooses only among its own people"
    );
    let sun = people.sun.0.to_string();
    let p = hz.upload_files(
        &format!("/honours/{id}/nominate"),
        &[("competitor", &sun), ("statement", ""), ("action", "check")],
        &[],
    );
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.html.contains("data-eligible=\"false\""), "{}", p.text());
    let reasons = p.html.matches("<li>").count();
    assert!(
        p.text().contains("孙悦 may not be nominated (2 reasons)"),
        "{}",
        p.text()
    );
    assert!(reasons >= 2, "{}", p.text());
    let p = hz.upload_files(
        &format!("/honours/{id}/nominate"),
        &[
            ("competitor", &sun),
            ("statement", "刻苦钻研，成绩优异。"),
            ("action", "nominate"),
        ],
        &[],
    );
    assert_eq!(p.status, 422, "{}", p.text());
    assert!(p.html.contains("id=\"refused\""));
    let block = &p.html[p.html.find("id=\"refused\"").unwrap()..];
    let block = &block[..block.find("</div>").unwrap()];
    assert_eq!(block.matches("<li>").count(), 2, "{block}");
    assert!(
        p.html.contains("刻苦钻研，成绩优异。"),
        "the statement is kept"
    );
    // An eligible person passes the check; two are nominated, one with a
    // PNG attachment.
    let zhang = people.zhang.0.to_string();
    let p = hz.upload_files(
        &format!("/honours/{id}/nominate"),
        &[
            ("competitor", &zhang),
            ("statement", ""),
            ("action", "check"),
        ],
        &[],
    );
    assert!(p.html.contains("data-eligible=\"true\""), "{}", p.text());
    let p = hz.upload_files(
        &format!("/honours/{id}/nominate"),
        &[
            ("competitor", &zhang),
            ("statement", "主持汽轮机叶片加工工艺攻关。"),
            ("action", "nominate"),
        ],
        &[("attachment1", "事迹.png", PNG.to_vec())],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let li = people.li.0.to_string();
    let p = hz.upload_files(
        &format!("/honours/{id}/nominate"),
        &[
            ("competitor", &li),
            ("statement", "一线钳工，带徒三十余人。"),
            ("action", "nominate"),
        ],
        &[],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let page = hz.get(&format!("/honours/{id}/nominate?done=nominated"));
    assert!(
        page.text().contains("2 of 2 used, 0 left"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("The nomination is in."));
    let href = format!("/honours/{id}/nominations/");
    assert!(page.html.contains(&href) && page.html.contains("/attachments/1"));
    let at = page.html.find("/attachments/1").unwrap();
    let start = page.html[..at].rfind(&href).unwrap();
    let link = page.html[start..at + "/attachments/1".len()].to_string();
    let file = s.client().get(s.url(&link)).send().unwrap();
    assert_eq!(file.status(), 401, "an attachment is not public");
    // A third nomination is over the quota.
    let p = hz.upload_files(
        &format!("/honours/{id}/nominate"),
        &[
            ("competitor", &sun),
            ("statement", "再次提名。"),
            ("action", "nominate"),
        ],
        &[],
    );
    assert_eq!(p.status, 409, "{}", p.text());
    // A nomination withdrawn with its reason frees its place in the quota;
    // the person may be nominated again.
    let page = hz.get(&format!("/honours/{id}/nominate"));
    let withdraw = {
        let at = page.html.find("李娜").unwrap();
        let before = &page.html[..at];
        number_after(
            &before[before.rfind("id=\"nomination-").unwrap()..],
            "id=\"nomination-",
        )
    };
    let p = hz.post(
        &format!("/honours/{id}/nominations/{withdraw}/withdraw"),
        &[("reason", "材料需补充")],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let page = hz.get(p.location.as_deref().unwrap());
    assert!(
        page.text().contains("1 of 2 used, 1 left"),
        "{}",
        page.text()
    );
    assert!(page.html.contains("data-status=\"withdrawn\""));
    assert!(page.text().contains("材料需补充"));
    let p = hz.upload_files(
        &format!("/honours/{id}/nominate"),
        &[
            ("competitor", &li),
            ("statement", "一线钳工，带徒三十余人。"),
            ("action", "nominate"),
        ],
        &[],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    // The attributes of a person: 李娜's job is changed on the page.
    let page = hz.get(&format!("/honours/{id}/nominate?person={li}"));
    assert!(page.html.contains("value=\"钳工\""), "{}", page.text());
    let p = hz.post(
        &format!("/honours/{id}/attributes"),
        &[
            ("competitor", &li),
            ("frontline", "true"),
            ("job", "高级钳工"),
            ("service_since", "2012-07-01"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let page = hz.get(p.location.as_deref().unwrap());
    assert!(page.html.contains("value=\"高级钳工\""));
    assert!(page.text().contains("The attributes are saved."));
    let p = hz.post(
        &format!("/honours/{id}/attributes"),
        &[
            ("competitor", &li),
            ("frontline", "maybe"),
            ("job", "高级钳工"),
            ("service_since", "2012-07-01"),
        ],
    );
    assert_eq!(p.status, 422, "{}", p.text());

    // Ningbo nominates its two.
    let mut nb = Visitor::signed_in(&s, &s.world.ningbo_organiser, "zh-CN");
    nb.get(&format!("/honours/{id}/nominate"));
    for who in [people.chen, people.zhao] {
        let w = who.0.to_string();
        let p = nb.upload_files(
            &format!("/honours/{id}/nominate"),
            &[
                ("competitor", &w),
                ("statement", "港口一线技术骨干。"),
                ("action", "nominate"),
            ],
            &[],
        );
        assert_eq!(p.status, 303, "{}", p.text());
    }
    // Ningbo sees its own nominations only.
    let page = nb.get(&format!("/honours/{id}/nominate"));
    assert!(page.text().contains("赵磊") && !page.text().contains("张伟"));

    // The organiser closes nominations early: a reason is needed.
    let page = zj.get(&format!("/organise/honours/{id}"));
    assert_eq!(page.html.matches("data-status=\"active\"").count(), 4);
    let p = zj.post(&format!("/organise/honours/{id}/review"), &[("reason", "")]);
    assert_eq!(p.status, 409, "{}", p.text());
    assert!(p.html.contains("id=\"refused\""));
    let p = zj.post(
        &format!("/organise/honours/{id}/review"),
        &[("reason", "各地提名已全部报送")],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let page = zj.get(p.location.as_deref().unwrap());
    assert!(page.html.contains("data-stage=\"review\""));
    let review = number_after(&page.html, "href=\"/organise/contests/");
    assert!(page.text().contains("ZJ-CRAFT-P-R"), "{}", page.text());
    assert!(
        page.html.contains("id=\"proposal-refused\""),
        "no proposal before the review is published"
    );

    // The review contest is set up, marked and published as any contest;
    // its reviewer finds it on the ordinary judge pages.
    review_published(&s, review, REVIEW_ERRORS);
    let mut reviewer = Visitor::signed_in(&s, "review-judge", "zh-CN");
    let todo = reviewer.get("/judge");
    assert!(
        todo.html.contains(&format!("/judge/contests/{review}")),
        "{}",
        todo.text()
    );
    assert_eq!(
        reviewer.get(&format!("/judge/contests/{review}")).status,
        200
    );

    // The proposal: 张伟 on rank, 李娜 moved in by the frontline share in
    // place of 陈静; confirmed with a reason.
    let mut zj_en = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    let page = zj_en.get(&format!("/organise/honours/{id}"));
    let outcome = |html: &str, n: &str| -> String {
        let at = html
            .find(&format!("id=\"line-{n}\""))
            .unwrap_or_else(|| panic!("line {n}"));
        let before = &html[..at];
        let o = before.rfind("data-outcome=\"").unwrap();
        before[o + 14..].split('"').next().unwrap().to_string()
    };
    assert_eq!(outcome(&page.html, "N001"), "selected");
    assert_eq!(outcome(&page.html, "N003"), "displaced_by_share");
    assert_eq!(outcome(&page.html, "N002"), "selected_by_share");
    assert_eq!(outcome(&page.html, "N004"), "not_selected");
    assert!(page.text().contains("frontline workers"), "{}", page.text());
    assert!(page.text().contains("1 selected, at least 1 required"));
    // Confirming makes the list public: the page says so first, and a
    // confirmation that was not given changes nothing.
    let p = zj_en.post(
        &format!("/organise/honours/{id}/confirm"),
        &[("reason", "评审委员会审定")],
    );
    assert_eq!(p.status, 422, "{}", p.text());
    assert!(p.html.contains("id=\"unconfirmed\""));
    let ask = zj_en.get(&format!(
        "/organise/honours/{id}/confirm?reason=%E8%AF%84%E5%AE%A1%E5%A7%94%E5%91%98%E4%BC%9A%E5%AE%A1%E5%AE%9A"
    ));
    assert_eq!(ask.status, 200);
    assert!(
        ask.text()
            .contains("Version 1 of the list has 2 people: 张伟、李娜."),
        "{}",
        ask.text()
    );
    assert!(ask.text().contains("Reason: 评审委员会审定"));
    assert!(zj_en
        .get(&format!("/honours/{id}"))
        .html
        .contains("id=\"no-notice\""));
    let p = zj_en.post(
        &format!("/organise/honours/{id}/confirm"),
        &[("reason", "评审委员会审定"), ("confirm", "yes")],
    );
    assert_eq!(p.status, 303, "{}", p.text());

    // The public notice, in both languages, for anyone.
    let mut anon_zh = Visitor::new(&s, "zh-CN");
    let home = anon_zh.get("/");
    assert!(home.html.contains("href=\"/honours\""));
    let list = anon_zh.get("/honours");
    assert_eq!(list.status, 200);
    assert!(list.text().contains("2026年度浙江工匠"));
    assert!(list.html.contains(&format!("/honours/{id}#notice")));
    let page = anon_zh.get(&format!("/honours/{id}"));
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("公示名单（第 1 版）"), "{text}");
    assert!(text.contains("公示期至"), "{text}");
    assert!(text.contains("(Asia&#x2F;Shanghai)"), "{text}");
    assert!(text.contains("张伟") && text.contains("李娜") && !text.contains("陈静"));
    assert!(text.contains("杭州汽轮") && text.contains("高级钳工") && text.contains("一线职工"));
    assert!(text.contains("评审委员会审定"));
    assert!(page.html.contains("id=\"sign-in-to-object\""));
    assert!(!page.html.contains("id=\"lodge\""));
    let mut anon_en = Visitor::new(&s, "en");
    let text = anon_en.get(&format!("/honours/{id}")).text();
    assert!(text.contains("The list in notice (version 1)"), "{text}");
    assert!(text.contains("The notice runs until"), "{text}");
    assert!(text.contains("Hangzhou Turbine") && text.contains("Frontline worker"));

    // A signed-in reader objects to 李娜; too short grounds are refused.
    let li_nomination = {
        let page = anon_en.get(&format!("/honours/{id}"));
        let at = page.html.find("李娜").unwrap();
        let before = &page.html[..at];
        number_after(
            &before[before.rfind("id=\"honoured-").unwrap()..],
            "id=\"honoured-",
        )
    };
    let mut objector = Visitor::signed_in(&s, &s.world.competitor, "zh-CN");
    let page = objector.get(&format!("/honours/{id}"));
    assert!(page.html.contains("id=\"lodge\""));
    let n = li_nomination.to_string();
    let p = objector.post(
        &format!("/honours/{id}/objections"),
        &[("nomination", &n), ("grounds", "不实")],
    );
    assert_eq!(p.status, 422, "{}", p.text());
    assert!(p.html.contains("id=\"refused\""));
    let p = objector.post(
        &format!("/honours/{id}/objections"),
        &[
            ("nomination", &n),
            (
                "grounds",
                "推荐材料中的技术攻关成果系他人完成，有项目验收记录为证。",
            ),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let page = objector.get(p.location.as_deref().unwrap());
    assert!(page.html.contains("id=\"lodged\""));
    assert!(
        page.html.contains("data-status=\"pending\""),
        "{}",
        page.text()
    );

    // The organiser sees who objected and upholds it.
    let page = zj_en.get(&format!("/organise/honours/{id}"));
    let text = page.text();
    assert!(text.contains("Lodged by: 陈静"), "{text}");
    assert!(text.contains("项目验收记录"));
    let objection = number_after(&page.html, "id=\"objection-");
    let decision = [
        ("outcome", "upheld"),
        ("reasons", "经核查，异议反映的情况属实。"),
    ];
    let p = zj_en.post(
        &format!("/organise/honours/{id}/objections/{objection}/decision"),
        &decision,
    );
    assert_eq!(p.status, 422, "{}", p.text());
    assert!(
        p.text().contains("The objection to 李娜: Upheld."),
        "{}",
        p.text()
    );
    let mut confirmed = decision.to_vec();
    confirmed.push(("confirm", "yes"));
    let p = zj_en.post(
        &format!("/organise/honours/{id}/objections/{objection}/decision"),
        &confirmed,
    );
    assert_eq!(p.status, 303, "{}", p.text());
    // The notice is running: the programme cannot be closed yet.
    let p = zj_en.post(
        &format!("/organise/honours/{id}/close"),
        &[("confirm", "yes")],
    );
    assert_eq!(p.status, 409, "{}", p.text());
    assert!(p.html.contains("id=\"refused\""));

    // Version 2: 赵磊 moves in by the share, 李娜 is withdrawn.
    let page = anon_en.get(&format!("/honours/{id}"));
    let text = page.text();
    assert!(text.contains("The list in notice (version 2)"), "{text}");
    assert!(text.contains("赵磊") && text.contains("桥吊司机"));
    assert!(
        text.contains("李娜 (Hangzhou Turbine): withdrawn in version 2"),
        "{text}"
    );
    assert!(page.html.contains(&format!("/honours/{id}?version=1")));
    let text = anon_zh.get(&format!("/honours/{id}")).text();
    assert!(text.contains("公示名单（第 2 版）"), "{text}");
    assert!(
        text.contains("李娜（杭州汽轮）：第 2 版名单中撤销"),
        "{text}"
    );
    let old = anon_zh.get(&format!("/honours/{id}?version=1"));
    assert!(old.html.contains("id=\"not-latest\""));
    assert!(old.text().contains("李娜"));
    let mine = objector.get(&format!("/honours/{id}"));
    assert!(
        mine.html.contains("data-status=\"upheld\""),
        "{}",
        mine.text()
    );
    assert!(mine.text().contains("经核查，异议反映的情况属实。"));

    // The workflows saw the same: two lists, the second without 李娜.
    let conn = &mut s.db.connect();
    let a = actor(conn, &s.world.province_organiser);
    let n = jiangxin::workflow::honours::notice::notice(conn, &a, id, None).unwrap();
    assert_eq!((n.version, n.latest), (2, 2));
    let names: Vec<&str> = n.honoured.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["张伟", "赵磊"]);
}

/// Shares that cannot all be met are shown on the organiser's page as an
/// error that names the share, and nothing can be confirmed.
fn shares_that_cannot_be_met_are_an_error(backend: Backend) {
    let s = TestServer::start(backend);
    let people = register_people(&s);
    let id = {
        let conn = &mut s.db.connect();
        set_people_attributes(conn, &people);
        let zj = actor(conn, &s.world.province_organiser);
        // Both places for frontline workers, and one frontline nominee.
        let text = programme_text("ZJ-CRAFT-X", 2)
            .replace("share = \"0.5\"\nrounding = \"up\"", "count = 2");
        assert!(text.contains("count = 2"));
        let (v, _) = jiangxin::workflow::honours::put_programme(conn, &zj, &text, None).unwrap();
        nominate(conn, "hz-organiser", v.id, people.zhang);
        nominate(conn, "hz-organiser", v.id, people.li);
        let v = jiangxin::workflow::honours::selection::open_review(
            conn,
            &jiangxin::workflow::marking::Schemes::default(),
            &zj,
            v.id,
            Some("试点"),
        )
        .unwrap();
        review_published(&s, v.review_contest.unwrap(), &REVIEW_ERRORS[..2]);
        v.id
    };
    for (lang, said) in [
        ("en", "only 1 of the candidates is in that category"),
        ("zh-CN", "比例要求无法同时满足"),
    ] {
        let mut zj = Visitor::signed_in(&s, &s.world.province_organiser, lang);
        let page = zj.get(&format!("/organise/honours/{id}"));
        assert_eq!(page.status, 200);
        assert!(
            page.html.contains("data-infeasible=\"true\""),
            "{}",
            page.text()
        );
        assert!(page.text().contains(said), "{lang}: {}", page.text());
        assert!(!page.html.contains("id=\"confirm\""));
        let p = zj.post(
            &format!("/organise/honours/{id}/confirm"),
            &[("reason", "强行确认"), ("confirm", "yes")],
        );
        assert_eq!(p.status, 409, "{}", p.text());
    }
}

on_both_backends!(
    from_programme_to_a_second_list,
    shares_that_cannot_be_met_are_an_error
);
