use erhverv::domain::Role;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::db_test;
use crate::helpers::*;

/// A CVR export as Danish Excel writes it: Windows-1252, `;`, a quoted
/// address with a line break, an unknown column and one invalid row.
fn danish_csv() -> Vec<u8> {
    let text = "CVR-nummer;Navn;Virksomhedsform;Adresse;Postnr;By;Branchekode;Antal ansatte;Reklamebeskyttet;P-nummer;Email;Telefon;Hjemmeside\r\n\
10150817;Søren's Smørrebrød ApS;Anpartsselskab;\"Ærøgade 5,\r\n2. sal\";2100;København Ø;561010;10-19;nej;1012345678;info@smoerrebroed.dk;33 12 34 56;www.example.dk\r\n\
24256790;Åbent Værksted;Enkeltmandsvirksomhed;Amagerbrogade 100;2300;København S;960210;1-4;ja;;;;\r\n\
1234;Forkert CVR ApS;Anpartsselskab;Vesterbrogade 1;1620;København V;;5;nej;;;;\r\n\
25313763;Valby Varmeservice A/S;Aktieselskab;Valby Langgade 50;2500;Valby;432200;20-49;nej;;;;\r\n";
    let (bytes, _, had_errors) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!had_errors);
    bytes.into_owned()
}

fn last_line(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

db_test!(
    the_import_command_upserts_by_cvr_and_reports_invalid_rows,
    |app: TestApp| async move {
        let file = app.settings.data_dir.join("cvr.csv");
        std::fs::write(&file, danish_csv()).unwrap();
        let out = tokio::task::spawn_blocking({
            let mut cmd = cli(&app);
            cmd.arg("import").arg(&file);
            move || cmd.output().unwrap()
        })
        .await
        .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(
            last_line(&out),
            "imported: 3 new, 0 changed, 0 unchanged, 1 invalid"
        );
        assert!(
            stderr.contains("Hjemmeside"),
            "unknown heading named: {stderr}"
        );
        assert!(
            stderr.contains('5') && stderr.contains("1234"),
            "invalid row with its line number: {stderr}"
        );

        let again = tokio::task::spawn_blocking({
            let mut cmd = cli(&app);
            cmd.arg("import").arg(&file);
            move || cmd.output().unwrap()
        })
        .await
        .unwrap();
        assert_eq!(
            last_line(&again),
            "imported: 0 new, 0 changed, 3 unchanged, 1 invalid"
        );

        app.signed_in("kirsten", Role::Consultant).await;
        let list = app.get_html("/businesses?status=all").await;
        assert!(
            list.contains("Søren&#x27;s Smørrebrød ApS")
                || list.contains("Søren&#39;s Smørrebrød ApS"),
            "{list}"
        );
        assert!(list.contains("Åbent Værksted"));
        assert!(list.contains("<strong id=\"total\">3</strong>"));
        let i = list.find("Søren").unwrap();
        let start = list[..i].rfind("/businesses/").unwrap();
        let id: String = list[start + 12..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let page = app.get_html(&format!("/businesses/{id}")).await;
        assert!(
            page.contains("Ærøgade 5,\n2. sal") || page.contains("Ærøgade 5,\r\n2. sal"),
            "multi-line address kept"
        );
        assert!(page.contains("1012345678"), "P-unit created");
        assert!(page.contains("<dd>Østerbro</dd>"));
        assert!(page.contains("+45 33 12 34 56"));
    }
);

db_test!(
    an_unreadable_file_fails_the_import_command,
    |app: TestApp| async move {
        let missing = app.settings.data_dir.join("findes-ikke.csv");
        let no_cvr = app.settings.data_dir.join("uden-cvr.csv");
        std::fs::write(&no_cvr, "Navn;By\nFirma;København\n").unwrap();
        let (a, b) = tokio::task::spawn_blocking({
            let mut c1 = cli(&app);
            c1.arg("import").arg(&missing);
            let mut c2 = cli(&app);
            c2.arg("import").arg(&no_cvr);
            move || (c1.output().unwrap(), c2.output().unwrap())
        })
        .await
        .unwrap();
        assert!(!a.status.success());
        assert!(!b.status.success());
        assert!(
            String::from_utf8_lossy(&b.stderr)
                .to_lowercase()
                .contains("cvr")
        );
    }
);

db_test!(
    an_admin_uploads_a_csv_and_sees_the_summary,
    |app: TestApp| async move {
        app.signed_in("admin", Role::Admin).await;
        let page = app.get_html("/admin/import").await;
        assert!(page.contains("CVR-nummer"));
        let token = csrf_in(&page);
        let csv = "\u{feff}CVR,Name,Company form,Address,Postal code,City,Industry code,Employees,Advertising protected,Email,Phone\n\
30060946,Nordic Design ApS,ApS,Islands Brygge 10,2300,København S,741000,8,no,hello@nordicdesign.dk,+45 70 20 30 40\n\
21659509,Harbour Hotel A/S,A/S,Havnegade 1,1058,København K,551010,120,yes,,\n\
35954716,Bad Email ApS,ApS,,,,,,no,not-an-email,\n";
        let upload = |body: &'static str| {
            reqwest::multipart::Form::new()
                .text("csrf_token", token.clone())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(body.as_bytes().to_vec())
                        .file_name("businesses.csv"),
                )
        };
        let res = app
            .client
            .post(app.url("/admin/import"))
            .multipart(upload(csv))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let job = location(&res);
        let mut html = String::new();
        for _ in 0..200 {
            html = app.get_html(&job).await;
            if !html.contains("http-equiv=\"refresh\"") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(
            html.contains("imported: 2 new, 0 changed, 0 unchanged, 1 invalid"),
            "{html}"
        );
        assert!(html.contains("not-an-email"));
        let list = app.get_html("/businesses?district=amager_vest").await;
        assert!(
            list.contains("Nordic Design ApS"),
            "Islands Brygge is Amager Vest"
        );
        // Without the token nothing is imported.
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("x.csv"),
        );
        let res = app
            .client
            .post(app.url("/admin/import"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403);
    }
);

db_test!(
    user_commands_add_list_and_disable,
    |app: TestApp| async move {
        use std::io::Write;
        let out = tokio::task::spawn_blocking({
            let mut cmd = cli(&app);
            cmd.args([
                "user",
                "add",
                "jens",
                "--role",
                "consultant",
                "--name",
                "Jens Jensen",
            ]);
            move || {
                let mut child = cmd
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap();
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(b"et-langt-kodeord\n")
                    .unwrap();
                child.wait_with_output().unwrap()
            }
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let res = app
            .post_form(
                "/login",
                &[("username", "jens"), ("password", "et-langt-kodeord")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
        let (list, disable) = tokio::task::spawn_blocking({
            let mut l = cli(&app);
            l.args(["user", "list"]);
            let mut d = cli(&app);
            d.args(["user", "disable", "jens"]);
            move || (l.output().unwrap(), d.output().unwrap())
        })
        .await
        .unwrap();
        assert!(String::from_utf8_lossy(&list.stdout).contains("jens"));
        assert!(disable.status.success());
        assert_eq!(
            app.get("/businesses").await.status().as_u16(),
            303,
            "session ended"
        );
    }
);

/// A file that stops being readable part-way (a network drive gone): a
/// reader that gives its bytes, then an I/O error.
struct BreaksAfter {
    data: std::io::Cursor<Vec<u8>>,
}

impl std::io::Read for BreaksAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.data.read(buf)? {
            0 => Err(std::io::Error::other("the network drive went away")),
            n => Ok(n),
        }
    }
}

db_test!(
    an_import_whose_file_stops_being_readable_says_so_instead_of_reporting_success,
    |app: TestApp| async move {
        // Longer than what the reader looks at to tell the encoding and
        // the delimiter, so the error comes in the middle of the rows.
        let mut text = String::from("CVR-nummer;Navn\r\n");
        let weights = [2, 7, 6, 5, 4, 3, 2, 1];
        let mut rows = 0;
        for n in 10_000_000u32.. {
            let digits: Vec<u32> = n
                .to_string()
                .chars()
                .map(|c| c.to_digit(10).unwrap())
                .collect();
            if digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 == 0 {
                text.push_str(&format!("{n};Virksomhed nummer {rows}\r\n"));
                rows += 1;
                if rows == 3000 {
                    break;
                }
            }
        }
        let reader = BreaksAfter {
            data: std::io::Cursor::new(text.as_bytes().to_vec()),
        };
        let cli_app = erhverv::app::App::for_cli(&app.db).unwrap();
        let result =
            erhverv::import::run(&cli_app, reader, erhverv::domain::Lang::Da, None, 1, false).await;
        let msg = match result {
            Err(erhverv::import::ImportFailure::Unreadable(msg)) => msg,
            other => panic!("expected the import to fail, got {other:?}"),
        };
        assert!(msg.contains("kunne ikke læses færdig"), "{msg}");
        assert!(msg.contains("De 3000 rækker før fejlen er gemt"), "{msg}");
        let stored = entity::business::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(stored.len(), 3000, "the rows before the error are kept");
        let audit = entity::audit_event::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert!(
            audit.iter().any(|e| e.action == "import"
                && e.detail
                    .as_deref()
                    .is_some_and(|d| d.contains("\"complete\":false"))),
            "the audit log says the import stopped: {audit:?}"
        );
    }
);

/// The non-unique indexes of the tables a first load fills, by name.
async fn secondary_indexes(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = db
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type = 'index' \
             AND tbl_name IN ('business', 'p_unit', 'search_sync') \
             AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect()
}

async fn set_aside(db: &sea_orm::DatabaseConnection) -> usize {
    use sea_orm::{ConnectionTrait, Statement};
    db.query_all_raw(Statement::from_string(
        sea_orm::DbBackend::Sqlite,
        "SELECT name FROM deferred_index",
    ))
    .await
    .unwrap()
    .len()
}

/// A first import into an empty database builds its indexes at the end
/// (much faster for a million rows); killed half-way, the next start builds
/// them, and importing again completes the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_load_builds_its_indexes_at_the_end_even_after_a_kill() {
    let app = spawn_app(Backend::Sqlite).await;
    let all = secondary_indexes(&app.db).await;
    assert!(all.len() >= 6, "the tables have their indexes: {all:?}");
    let csv = app.settings.data_dir.join("cvr.csv");
    let out = cli(&app)
        .args(["demo-csv", csv.to_str().unwrap(), "--businesses", "40000"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    // Killed once the first rows are stored: the indexes are still aside.
    let mut child = cli(&app)
        .args(["import", csv.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stored = 0;
    for _ in 0..1000 {
        stored = entity::business::Entity::find()
            .count(&app.db)
            .await
            .unwrap();
        if stored > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(stored > 0 && stored < 40_000, "killed half-way: {stored}");
    assert!(set_aside(&app.db).await > 0, "the indexes were set aside");
    assert!(secondary_indexes(&app.db).await.len() < all.len());

    // The next start builds them.
    let out = cli(&app).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(secondary_indexes(&app.db).await, all);
    assert_eq!(set_aside(&app.db).await, 0);

    // Importing the file again stores the rest (the table is not empty
    // now: nothing is set aside).
    let out = cli(&app)
        .args(["import", csv.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let n = entity::business::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 40_000);
    assert_eq!(secondary_indexes(&app.db).await, all);

    // An import that runs to its end builds them itself, and the list
    // reads through them.
    let fresh = spawn_app(Backend::Sqlite).await;
    let out = cli(&fresh)
        .args(["import", csv.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(last_line(&out).contains("40000 new"), "{}", last_line(&out));
    assert_eq!(secondary_indexes(&fresh.db).await, all);
    assert_eq!(set_aside(&fresh.db).await, 0);
    fresh.signed_in("kirsten", Role::Consultant).await;
    let page = fresh.get_html("/businesses?district=norrebro").await;
    assert_eq!(page.matches("<td><a href=\"/businesses/").count(), 20);
}
