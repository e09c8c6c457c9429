<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pl_PL">
<context>
    <name>AdminPage</name>
    <message>
        <source>First administrator</source>
        <translation>Pierwszy administrator</translation>
    </message>
    <message>
        <source>Login:</source>
        <translation>Login:</translation>
    </message>
    <message>
        <source>Full name:</source>
        <translation>Imię i nazwisko:</translation>
    </message>
    <message>
        <source>Position:</source>
        <translation>Stanowisko:</translation>
    </message>
    <message>
        <source>E-mail:</source>
        <translation>E-mail:</translation>
    </message>
    <message>
        <source>Unit:</source>
        <translation>Komórka:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Hasło:</translation>
    </message>
    <message>
        <source>Repeat password:</source>
        <translation>Powtórz hasło:</translation>
    </message>
    <message>
        <source>On this computer you work under your system account, without a password; it receives every role.</source>
        <translation>Na tym komputerze pracujesz na swoim koncie systemowym, bez hasła; otrzymuje ono wszystkie role.</translation>
    </message>
    <message>
        <source>Signs in with this login and password and manages users, units and the file plan.</source>
        <translation>Loguje się tym loginem i hasłem oraz zarządza użytkownikami, komórkami i wykazem akt.</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(brak)</translation>
    </message>
</context>
<context>
    <name>AutoBackup</name>
    <message>
        <source>Automatic backup… {0}%</source>
        <translation>Automatyczna kopia zapasowa… {0}%</translation>
    </message>
    <message>
        <source>Automatic backup saved: {0}</source>
        <translation>Zapisano automatyczną kopię zapasową: {0}</translation>
    </message>
    <message>
        <source>Automatic backup failed: {0}</source>
        <translation>Automatyczna kopia zapasowa nie powiodła się: {0}</translation>
    </message>
</context>
<context>
    <name>BackupSettingsBox</name>
    <message>
        <source>Automatic backups</source>
        <translation>Automatyczne kopie zapasowe</translation>
    </message>
    <message>
        <source>Back up every:</source>
        <translation>Kopia co:</translation>
    </message>
    <message>
        <source>Backups kept:</source>
        <translation>Liczba przechowywanych kopii:</translation>
    </message>
    <message>
        <source>Backup folder:</source>
        <translation>Folder kopii:</translation>
    </message>
    <message>
        <source>Newest backup:</source>
        <translation>Najnowsza kopia:</translation>
    </message>
    <message>
        <source> h</source>
        <translation> godz.</translation>
    </message>
    <message>
        <source>off</source>
        <translation>wyłączone</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Wybierz…</translation>
    </message>
    <message>
        <source>Save backup settings</source>
        <translation>Zapisz ustawienia kopii</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>jeszcze żadnej</translation>
    </message>
    <message>
        <source>Backup folder</source>
        <translation>Folder kopii zapasowych</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Zapisano.</translation>
    </message>
</context>
<context>
    <name>CaseDetailsDialog</name>
    <message>
        <source>Case {0}</source>
        <translation>Sprawa {0}</translation>
    </message>
    <message>
        <source>not assigned</source>
        <translation>brak prowadzącego</translation>
    </message>
    <message>
        <source>Case sign:</source>
        <translation>Znak sprawy:</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>Tytuł:</translation>
    </message>
    <message>
        <source>Unit:</source>
        <translation>Komórka:</translation>
    </message>
    <message>
        <source>JRWA class:</source>
        <translation>Klasa JRWA:</translation>
    </message>
    <message>
        <source>Handler:</source>
        <translation>Prowadzący:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>Opened:</source>
        <translation>Wszczęta:</translation>
    </message>
    <message>
        <source>Closed:</source>
        <translation>Zakończona:</translation>
    </message>
    <message>
        <source>Outcome:</source>
        <translation>Sposób załatwienia:</translation>
    </message>
    <message>
        <source>Deadline:</source>
        <translation>Termin:</translation>
    </message>
    <message>
        <source>Pauses:</source>
        <translation>Wstrzymania biegu terminu:</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Numer</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>Rejestr</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Tytuł</translation>
    </message>
    <message>
        <source>Sender / addressee</source>
        <translation>Nadawca / adresat</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>Lp.</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Osoba</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Czynność</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Dokument</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Dane sprawy</translation>
    </message>
    <message>
        <source>Documents ({0})</source>
        <translation>Dokumenty ({0})</translation>
    </message>
    <message>
        <source>History ({0})</source>
        <translation>Historia ({0})</translation>
    </message>
    <message>
        <source>Print the history (PDF)…</source>
        <translation>Drukuj metrykę sprawy (PDF)…</translation>
    </message>
    <message>
        <source>no deadline</source>
        <translation>bez terminu</translation>
    </message>
    <message>
        <source>due {0}, settled in time</source>
        <translation>termin {0}, załatwiona w terminie</translation>
    </message>
    <message>
        <source>due {0}, settled late</source>
        <translation>termin {0}, załatwiona po terminie</translation>
    </message>
    <message numerus="yes">
        <source>due {0}, overdue by %n day(s)</source>
        <translation>
            <numerusform>termin {0}, po terminie o %n dzień</numerusform>
            <numerusform>termin {0}, po terminie o %n dni</numerusform>
            <numerusform>termin {0}, po terminie o %n dni</numerusform>
        </translation>
    </message>
    <message>
        <source>due {0} or later, the clock is paused</source>
        <translation>termin {0} lub później, bieg terminu wstrzymany</translation>
    </message>
    <message numerus="yes">
        <source>due {0}, %n day(s) left</source>
        <translation>
            <numerusform>termin {0}, został %n dzień</numerusform>
            <numerusform>termin {0}, zostały %n dni</numerusform>
            <numerusform>termin {0}, zostało %n dni</numerusform>
        </translation>
    </message>
    <message>
        <source>at risk</source>
        <translation>zagrożona</translation>
    </message>
    <message>
        <source>a delay notice (art. 36 KPA) is due</source>
        <translation>należy zawiadomić o zwłoce (art. 36 KPA)</translation>
    </message>
    <message>
        <source>Save the case history</source>
        <translation>Zapisz metrykę sprawy</translation>
    </message>
</context>
<context>
    <name>CasesPage</name>
    <message>
        <source>Cases</source>
        <translation>Sprawy</translation>
    </message>
    <message>
        <source>Case sign or title…</source>
        <translation>Znak lub tytuł sprawy…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Eksport</translation>
    </message>
    <message>
        <source>all</source>
        <translation>wszystkie</translation>
    </message>
    <message>
        <source>Unit:</source>
        <translation>Komórka:</translation>
    </message>
    <message>
        <source>Handler:</source>
        <translation>Prowadzący:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>JRWA class:</source>
        <translation>Klasa JRWA:</translation>
    </message>
    <message>
        <source>Year:</source>
        <translation>Rok:</translation>
    </message>
    <message>
        <source>Deadline:</source>
        <translation>Termin:</translation>
    </message>
    <message numerus="yes">
        <source>%n cases</source>
        <translation>
            <numerusform>%n sprawa</numerusform>
            <numerusform>%n sprawy</numerusform>
            <numerusform>%n spraw</numerusform>
        </translation>
    </message>
    <message>
        <source>Export the case list</source>
        <translation>Eksport wykazu spraw</translation>
    </message>
    <message>
        <source>Exporting the case list…</source>
        <translation>Eksport wykazu spraw…</translation>
    </message>
</context>
<context>
    <name>Columns</name>
    <message>
        <source>Case sign</source>
        <translation>Znak sprawy</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Tytuł</translation>
    </message>
    <message>
        <source>Handler</source>
        <translation>Prowadzący</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>Wszczęta</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Termin</translation>
    </message>
    <message>
        <source>Days left</source>
        <translation>Dni do terminu</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Numer</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>Sender / addressee</source>
        <translation>Nadawca / adresat</translation>
    </message>
    <message>
        <source>Letter date</source>
        <translation>Data pisma</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Znak pisma</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>Przydzielono</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>Załączniki</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Kanał</translation>
    </message>
    <message>
        <source>Tracking no.</source>
        <translation>Nr nadawczy</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Sprawa</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Uwagi</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>An unexpected error occurred. Your open work is kept; save it and restart the program if something misbehaves.

Details are in the log file:
{0}</source>
        <translation>Wystąpił nieoczekiwany błąd. Otwarta praca została zachowana; zapisz ją i uruchom program ponownie, jeśli coś działa nieprawidłowo.

Szczegóły są w pliku dziennika:
{0}</translation>
    </message>
    <message>
        <source>Kancelaria</source>
        <translation>Kancelaria</translation>
    </message>
</context>
<context>
    <name>DatabasePage</name>
    <message>
        <source>Database</source>
        <translation>Baza danych</translation>
    </message>
    <message>
        <source>Where the register, cases and attachments are kept.</source>
        <translation>Gdzie przechowywane są rejestr, sprawy i załączniki.</translation>
    </message>
    <message>
        <source>This computer only (embedded database, no server needed)</source>
        <translation>Tylko ten komputer (wbudowana baza danych, bez serwera)</translation>
    </message>
    <message>
        <source>Office PostgreSQL server (several workstations share one register)</source>
        <translation>Serwer PostgreSQL urzędu (wiele stanowisk korzysta z jednego rejestru)</translation>
    </message>
    <message>
        <source>Data folder: {0}</source>
        <translation>Folder danych: {0}</translation>
    </message>
    <message>
        <source>e.g. serwer.urzad.local or 192.168.1.10</source>
        <translation>np. serwer.urzad.local albo 192.168.1.10</translation>
    </message>
    <message>
        <source>optional, default: public</source>
        <translation>opcjonalnie, domyślnie: public</translation>
    </message>
    <message>
        <source>No system password store (keyring) found: keep the database password in the data folder, readable by this user only</source>
        <translation>Nie znaleziono systemowego magazynu haseł (keyring): przechowuj hasło do bazy w folderze danych, dostępne tylko dla tego użytkownika</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Sprawdź połączenie</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Serwer</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>Serwer:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>Baza danych:</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>Użytkownik:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Hasło:</translation>
    </message>
    <message>
        <source>Schema:</source>
        <translation>Schemat:</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Łączenie…</translation>
    </message>
    <message>
        <source>Connecting to the database server…</source>
        <translation>Łączenie z serwerem bazy danych…</translation>
    </message>
    <message>
        <source>The database was set up by a newer version of Kancelaria. Install the current version on this computer first.</source>
        <translation>Baza danych została utworzona przez nowszą wersję Kancelarii. Najpierw zainstaluj aktualną wersję na tym komputerze.</translation>
    </message>
    <message>
        <source>This database already holds the office “{0}”: demo data go only to an empty database.</source>
        <translation>Ta baza zawiera już urząd „{0}”: dane demonstracyjne można dodać tylko do pustej bazy.</translation>
    </message>
    <message>
        <source>Connected: {0}. The office “{1}” already works in this database: this workstation will join it.</source>
        <translation>Połączono: {0}. Urząd „{1}” już pracuje w tej bazie: to stanowisko zostanie do niego dołączone.</translation>
    </message>
    <message>
        <source>Connected: {0}. The database is empty: the wizard will create the tables.</source>
        <translation>Połączono: {0}. Baza jest pusta: kreator utworzy tabele.</translation>
    </message>
    <message>
        <source>The password cannot be kept without a system password store: tick the option to keep it in the data folder, or install a keyring.</source>
        <translation>Bez systemowego magazynu haseł nie można zapamiętać hasła: zaznacz przechowywanie go w folderze danych albo zainstaluj magazyn haseł (keyring).</translation>
    </message>
</context>
<context>
    <name>EntryDetailsDialog</name>
    <message>
        <source>Register entry {0}</source>
        <translation>Wpis rejestru {0}</translation>
    </message>
    <message>
        <source>Number:</source>
        <translation>Numer:</translation>
    </message>
    <message>
        <source>Register:</source>
        <translation>Rejestr:</translation>
    </message>
    <message>
        <source>Date received / sent:</source>
        <translation>Data wpływu / wysłania:</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>Tytuł:</translation>
    </message>
    <message>
        <source>Sender / addressee:</source>
        <translation>Nadawca / adresat:</translation>
    </message>
    <message>
        <source>Letter date:</source>
        <translation>Data pisma:</translation>
    </message>
    <message>
        <source>Reference:</source>
        <translation>Znak pisma:</translation>
    </message>
    <message>
        <source>Channel:</source>
        <translation>Kanał:</translation>
    </message>
    <message>
        <source>Tracking no.:</source>
        <translation>Nr nadawczy:</translation>
    </message>
    <message>
        <source>Assigned to:</source>
        <translation>Przydzielono:</translation>
    </message>
    <message>
        <source>Instruction:</source>
        <translation>Polecenie:</translation>
    </message>
    <message>
        <source>Attachments:</source>
        <translation>Liczba załączników:</translation>
    </message>
    <message>
        <source>Files:</source>
        <translation>Pliki:</translation>
    </message>
    <message>
        <source>Case:</source>
        <translation>Sprawa:</translation>
    </message>
    <message>
        <source>Notes:</source>
        <translation>Uwagi:</translation>
    </message>
    <message>
        <source>Registered by:</source>
        <translation>Zarejestrował(a):</translation>
    </message>
    <message>
        <source>Registered at:</source>
        <translation>Zarejestrowano:</translation>
    </message>
    <message>
        <source>Version:</source>
        <translation>Wersja:</translation>
    </message>
    <message>
        <source>Needs attention:</source>
        <translation>Wymaga uwagi:</translation>
    </message>
</context>
<context>
    <name>EpuapPage</name>
    <message>
        <source>ePUAP inbox</source>
        <translation>Skrzynka ePUAP</translation>
    </message>
    <message>
        <source>Check queue</source>
        <translation>Sprawdź kolejkę</translation>
    </message>
    <message>
        <source>Synchronise now</source>
        <translation>Synchronizuj teraz</translation>
    </message>
    <message>
        <source>Documents needing attention:</source>
        <translation>Dokumenty wymagające uwagi:</translation>
    </message>
    <message>
        <source>Outgoing letters waiting to be sent:</source>
        <translation>Pisma wychodzące czekające na wysyłkę:</translation>
    </message>
    <message>
        <source>Send through ePUAP</source>
        <translation>Wyślij przez ePUAP</translation>
    </message>
    <message>
        <source>Waiting in the box: not checked</source>
        <translation>Oczekuje w skrzynce: nie sprawdzano</translation>
    </message>
    <message>
        <source>Last synchronisation: none yet</source>
        <translation>Ostatnia synchronizacja: jeszcze nie było</translation>
    </message>
    <message>
        <source>Last synchronisation:</source>
        <translation>Ostatnia synchronizacja:</translation>
    </message>
    <message>
        <source>Waiting in the box:</source>
        <translation>Oczekuje w skrzynce:</translation>
    </message>
    <message>
        <source>(no ePUAP box address)</source>
        <translation>(brak adresu skrytki ePUAP)</translation>
    </message>
    <message>
        <source>(no PDF)</source>
        <translation>(brak PDF)</translation>
    </message>
    <message>
        <source>(unconfirmed attempt: send again)</source>
        <translation>(niepotwierdzona próba: wyślij ponownie)</translation>
    </message>
    <message>
        <source>(refused:</source>
        <translation>(odrzucone:</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Wysyłanie</translation>
    </message>
    <message>
        <source>Synchronising the ePUAP inbox…</source>
        <translation>Synchronizuję skrzynkę ePUAP…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Anuluj</translation>
    </message>
    <message>
        <source>ePUAP</source>
        <translation>ePUAP</translation>
    </message>
</context>
<context>
    <name>FinishPage</name>
    <message>
        <source>Ready</source>
        <translation>Gotowe</translation>
    </message>
    <message>
        <source>Database: embedded, in the data folder on this computer.</source>
        <translation>Baza danych: wbudowana, w folderze danych na tym komputerze.</translation>
    </message>
    <message>
        <source>Database: {0}</source>
        <translation>Baza danych: {0}</translation>
    </message>
    <message>
        <source>Demo data: the sample office “Urząd Gminy Zielona Dolina” with units, clerks, letters and cases. Demo clerks sign in with the password demo-haslo-2026.</source>
        <translation>Dane demonstracyjne: przykładowy „Urząd Gminy Zielona Dolina” z komórkami, pracownikami, pismami i sprawami. Pracownicy demo logują się hasłem demo-haslo-2026.</translation>
    </message>
    <message>
        <source>This workstation joins the office “{0}”.</source>
        <translation>To stanowisko dołączy do urzędu „{0}”.</translation>
    </message>
    <message>
        <source>Office: {0}, {1}</source>
        <translation>Urząd: {0}, {1}</translation>
    </message>
    <message>
        <source>Units: {0}</source>
        <translation>Komórki: {0}</translation>
    </message>
    <message>
        <source>Administrator: {0} ({1})</source>
        <translation>Administrator: {0} ({1})</translation>
    </message>
    <message>
        <source>File plan: to be imported later.</source>
        <translation>Wykaz akt: do zaimportowania później.</translation>
    </message>
    <message>
        <source>File plan: {0} classes, valid from {1}.</source>
        <translation>Wykaz akt: {0} klas, obowiązuje od {1} r.</translation>
    </message>
    <message>
        <source>Press Finish to save.</source>
        <translation>Naciśnij Zakończ, aby zapisać.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Zapisywanie…</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Kancelaria – first start</source>
        <translation>Kancelaria – pierwsze uruchomienie</translation>
    </message>
</context>
<context>
    <name>IntakeDialog</name>
    <message>
        <source>Register incoming mail</source>
        <translation>Rejestracja przesyłki wpływającej</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>brak danych</translation>
    </message>
    <message>
        <source>type 3 letters to search</source>
        <translation>wpisz 3 litery, aby wyszukać</translation>
    </message>
    <message>
        <source>person</source>
        <translation>osoba</translation>
    </message>
    <message>
        <source>institution</source>
        <translation>instytucja</translation>
    </message>
    <message>
        <source>dd.mm.yyyy</source>
        <translation>dd.mm.rrrr</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>Dodaj pliki…</translation>
    </message>
    <message>
        <source>as files</source>
        <translation>wg plików</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(brak)</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>Zarejestruj</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Zamknij</translation>
    </message>
    <message>
        <source>Print sticker</source>
        <translation>drukuj naklejkę</translation>
    </message>
    <message>
        <source>Date received:</source>
        <translation>Data wpływu:</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>Tytuł:</translation>
    </message>
    <message>
        <source>Sender:</source>
        <translation>Nadawca:</translation>
    </message>
    <message>
        <source>Letter date:</source>
        <translation>Data pisma:</translation>
    </message>
    <message>
        <source>Letter reference:</source>
        <translation>Znak pisma:</translation>
    </message>
    <message>
        <source>Channel:</source>
        <translation>Sposób doręczenia:</translation>
    </message>
    <message>
        <source>Tracking no.:</source>
        <translation>Nr nadawczy:</translation>
    </message>
    <message>
        <source>Attachments:</source>
        <translation>Załączniki:</translation>
    </message>
    <message>
        <source>Number of attachments:</source>
        <translation>Liczba załączników:</translation>
    </message>
    <message>
        <source>Assign to unit:</source>
        <translation>Dekretacja na komórkę:</translation>
    </message>
    <message>
        <source>Handler:</source>
        <translation>Pracownik:</translation>
    </message>
    <message>
        <source>Instruction:</source>
        <translation>Polecenie:</translation>
    </message>
    <message>
        <source>Notes:</source>
        <translation>Uwagi:</translation>
    </message>
    <message>
        <source>Sticker: cannot save {0}: {1}</source>
        <translation>Naklejka: nie można zapisać pliku {0}: {1}</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>Załączniki</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n plik</numerusform>
            <numerusform>%n pliki</numerusform>
            <numerusform>%n plików</numerusform>
        </translation>
    </message>
    <message>
        <source>Registered as {0}</source>
        <translation>Zarejestrowano pod numerem {0}</translation>
    </message>
</context>
<context>
    <name>IntroPage</name>
    <message>
        <source>Welcome to Kancelaria</source>
        <translation>Witamy w Kancelarii</translation>
    </message>
    <message>
        <source>A few questions prepare the program for your office. Everything can be changed later in the settings.</source>
        <translation>Kilka pytań przygotuje program dla Twojego urzędu. Wszystko można później zmienić w ustawieniach.</translation>
    </message>
    <message>
        <source>Set up my office</source>
        <translation>Skonfiguruj mój urząd</translation>
    </message>
    <message>
        <source>Try the program with a sample office and example letters (demo data)</source>
        <translation>Wypróbuj program na przykładowym urzędzie z przykładowymi pismami (dane demonstracyjne)</translation>
    </message>
    <message>
        <source>Demo data fill the register with made-up letters and cases; use them for training only, never in the database of a working office.</source>
        <translation>Dane demonstracyjne wypełniają rejestr zmyślonymi pismami i sprawami; używaj ich tylko do szkoleń, nigdy w bazie pracującego urzędu.</translation>
    </message>
</context>
<context>
    <name>Job</name>
    <message>
        <source>Cancel</source>
        <translation>Anuluj</translation>
    </message>
    <message>
        <source>Please wait</source>
        <translation>Proszę czekać</translation>
    </message>
    <message>
        <source>The operation failed unexpectedly. Details are in the log file.</source>
        <translation>Operacja nieoczekiwanie się nie powiodła. Szczegóły są w pliku dziennika.</translation>
    </message>
</context>
<context>
    <name>JrwaPage</name>
    <message>
        <source>File plan (JRWA)</source>
        <translation>Wykaz akt (JRWA)</translation>
    </message>
    <message>
        <source>Cases are opened in the end classes of the uniform file plan.</source>
        <translation>Sprawy zakłada się w klasach końcowych jednolitego rzeczowego wykazu akt.</translation>
    </message>
    <message>
        <source>The commune office plan shipped with the program (a selection of classes)</source>
        <translation>Wykaz akt urzędu gminy dołączony do programu (wybór klas)</translation>
    </message>
    <message>
        <source>The office&apos;s own plan from a CSV file:</source>
        <translation>Własny wykaz akt urzędu z pliku CSV:</translation>
    </message>
    <message>
        <source>Import the plan later</source>
        <translation>Zaimportuj wykaz później</translation>
    </message>
    <message>
        <source>symbol;title;category_lead;category_other</source>
        <translation>symbol;title;category_lead;category_other</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Wybierz…</translation>
    </message>
    <message>
        <source>Valid from year:</source>
        <translation>Obowiązuje od roku:</translation>
    </message>
    <message>
        <source>JRWA file plan</source>
        <translation>Wykaz akt JRWA</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Pliki CSV (*.csv)</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>paper</source>
        <translation>papier</translation>
    </message>
    <message>
        <source>ePUAP</source>
        <translation>ePUAP</translation>
    </message>
    <message>
        <source>e-Doręczenia</source>
        <translation>e-Doręczenia</translation>
    </message>
    <message>
        <source>e-mail</source>
        <translation>e-mail</translation>
    </message>
    <message>
        <source>in person</source>
        <translation>osobiście</translation>
    </message>
    <message>
        <source>registered letter (ZPO)</source>
        <translation>list polecony ZPO</translation>
    </message>
    <message>
        <source>Incoming</source>
        <translation>Wpływające</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>Wychodzące</translation>
    </message>
    <message>
        <source>not assigned</source>
        <translation>niezadekretowane</translation>
    </message>
    <message>
        <source>assigned</source>
        <translation>zadekretowane</translation>
    </message>
    <message>
        <source>in a case</source>
        <translation>w sprawie</translation>
    </message>
    <message>
        <source>open</source>
        <translation>w toku</translation>
    </message>
    <message>
        <source>suspended</source>
        <translation>zawieszona</translation>
    </message>
    <message>
        <source>awaiting the party</source>
        <translation>oczekuje na stronę</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>zakończona</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>po terminie</translation>
    </message>
    <message>
        <source>at risk (7 days)</source>
        <translation>zagrożone (7 dni)</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>brak danych</translation>
    </message>
</context>
<context>
    <name>LettersPage</name>
    <message>
        <source>(office copy)</source>
        <translation>(kopia urzędu)</translation>
    </message>
    <message>
        <source>Tick at least one addressee.</source>
        <translation>Zaznacz co najmniej jednego adresata.</translation>
    </message>
    <message>
        <source>Rendering the letter…</source>
        <translation>Tworzenie pisma…</translation>
    </message>
    <message>
        <source>Saving and registering the letters…</source>
        <translation>Zapisywanie i rejestrowanie pism…</translation>
    </message>
    <message>
        <source>Preview opened: {0}</source>
        <translation>Otwarto podgląd: {0}</translation>
    </message>
    <message>
        <source>Cancelled: nothing was registered.</source>
        <translation>Anulowano: nic nie zostało zarejestrowane.</translation>
    </message>
    <message>
        <source>Saved in the case and registered: {0}</source>
        <translation>Zapisano w sprawie i zarejestrowano: {0}</translation>
    </message>
    <message>
        <source>The PDF cannot be shown: {0}</source>
        <translation>Nie można wyświetlić pliku PDF: {0}</translation>
    </message>
    <message>
        <source>The letter could not be created; see the log.</source>
        <translation>Nie udało się utworzyć pisma; szczegóły w dzienniku.</translation>
    </message>
    <message>
        <source>Letters</source>
        <translation>Pisma</translation>
    </message>
    <message>
        <source>Case sign:</source>
        <translation>Znak sprawy:</translation>
    </message>
    <message>
        <source>e.g. UA.6727.1.2026</source>
        <translation>np. UA.6727.1.2026</translation>
    </message>
    <message>
        <source>Load case</source>
        <translation>Wczytaj sprawę</translation>
    </message>
    <message>
        <source>Edit template…</source>
        <translation>Edytuj szablon…</translation>
    </message>
    <message>
        <source>Template:</source>
        <translation>Szablon:</translation>
    </message>
    <message>
        <source>Addressees (one letter each):</source>
        <translation>Adresaci (każdy otrzyma osobne pismo):</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Podgląd</translation>
    </message>
    <message>
        <source>Save and register</source>
        <translation>Zapisz i zarejestruj</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Kancelaria {0}</source>
        <translation>Kancelaria {0}</translation>
    </message>
    <message>
        <source>Database: {0}</source>
        <translation>Baza danych: {0}</translation>
    </message>
    <message>
        <source>User: {0}</source>
        <translation>Użytkownik: {0}</translation>
    </message>
</context>
<context>
    <name>OfficePage</name>
    <message>
        <source>Office</source>
        <translation>Urząd</translation>
    </message>
    <message>
        <source>As printed in the letterhead of every letter.</source>
        <translation>Tak jak w nagłówku każdego pisma.</translation>
    </message>
    <message>
        <source>PNG or JPEG, optional</source>
        <translation>PNG albo JPEG, opcjonalnie</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Wybierz…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Usuń</translation>
    </message>
    <message>
        <source>Office name:</source>
        <translation>Nazwa urzędu:</translation>
    </message>
    <message>
        <source>Short name:</source>
        <translation>Nazwa skrócona:</translation>
    </message>
    <message>
        <source>Street and number:</source>
        <translation>Ulica i numer:</translation>
    </message>
    <message>
        <source>Postal code and town:</source>
        <translation>Kod pocztowy i miejscowość:</translation>
    </message>
    <message>
        <source>TERYT commune code:</source>
        <translation>Kod TERYT gminy:</translation>
    </message>
    <message>
        <source>NIP:</source>
        <translation>NIP:</translation>
    </message>
    <message>
        <source>REGON:</source>
        <translation>REGON:</translation>
    </message>
    <message>
        <source>Phone:</source>
        <translation>Telefon:</translation>
    </message>
    <message>
        <source>E-mail:</source>
        <translation>E-mail:</translation>
    </message>
    <message>
        <source>ePUAP box:</source>
        <translation>Skrytka ePUAP:</translation>
    </message>
    <message>
        <source>e-Delivery address:</source>
        <translation>Adres do e-Doręczeń:</translation>
    </message>
    <message>
        <source>Logo:</source>
        <translation>Logo:</translation>
    </message>
    <message>
        <source>Office logo</source>
        <translation>Logo urzędu</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg)</source>
        <translation>Obrazy (*.png *.jpg *.jpeg)</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <source>Register</source>
        <translation>Rejestr</translation>
    </message>
    <message>
        <source>Incoming and outgoing correspondence: registration, numbering, assignment and search.</source>
        <translation>Korespondencja przychodząca i wychodząca: rejestracja, numeracja, dekretacja i wyszukiwanie.</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Sprawy</translation>
    </message>
    <message>
        <source>Cases with signs from the file plan, handlers, KPA deadlines and the case history.</source>
        <translation>Sprawy ze znakami z JRWA, prowadzący, terminy KPA i metryka sprawy.</translation>
    </message>
    <message>
        <source>Parcels</source>
        <translation>Działki</translation>
    </message>
    <message>
        <source>Cadastral parcel look-up with the map, neighbours and local plan zones.</source>
        <translation>Wyszukiwanie działek ewidencyjnych z mapą, sąsiadami i strefami planu miejscowego.</translation>
    </message>
    <message>
        <source>Letters</source>
        <translation>Pisma</translation>
    </message>
    <message>
        <source>Official letters and KPA templates rendered to PDF and registered as outgoing.</source>
        <translation>Pisma urzędowe i wzory KPA w PDF, rejestrowane jako wychodzące.</translation>
    </message>
    <message>
        <source>ePUAP inbox</source>
        <translation>Skrzynka ePUAP</translation>
    </message>
    <message>
        <source>Documents from the office&apos;s ePUAP box and e-Doręczenia, synchronised into the register.</source>
        <translation>Dokumenty ze skrzynki ePUAP urzędu i e-Doręczeń, synchronizowane do rejestru.</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Raporty</translation>
    </message>
    <message>
        <source>Register for a period, cases per clerk, overdue cases and case lists per JRWA class.</source>
        <translation>Rejestr za okres, sprawy według pracowników, sprawy po terminie i spisy spraw według klas JRWA.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ustawienia</translation>
    </message>
    <message>
        <source>Coming soon.</source>
        <translation>Wkrótce.</translation>
    </message>
</context>
<context>
    <name>ParcelLookupWidget</name>
    <message>
        <source>Parcel id, precinct and number (0012 3/4), precinct name, address or X Y</source>
        <translation>Identyfikator działki, obręb i numer (0012 3/4), nazwa obrębu, adres albo X Y</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Szukaj</translation>
    </message>
    <message>
        <source>Parcel</source>
        <translation>Działka</translation>
    </message>
    <message>
        <source>Id:</source>
        <translation>Identyfikator:</translation>
    </message>
    <message>
        <source>Number:</source>
        <translation>Numer:</translation>
    </message>
    <message>
        <source>Precinct:</source>
        <translation>Obręb:</translation>
    </message>
    <message>
        <source>Commune:</source>
        <translation>Gmina:</translation>
    </message>
    <message>
        <source>County, voivodeship:</source>
        <translation>Powiat, województwo:</translation>
    </message>
    <message>
        <source>Area:</source>
        <translation>Powierzchnia:</translation>
    </message>
    <message>
        <source>Land use:</source>
        <translation>Użytki:</translation>
    </message>
    <message>
        <source>Addresses:</source>
        <translation>Adresy:</translation>
    </message>
    <message>
        <source>Plan zones:</source>
        <translation>Strefy planu:</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>Źródło:</translation>
    </message>
    <message>
        <source>Register data:</source>
        <translation>Dane rejestrowe:</translation>
    </message>
    <message>
        <source>Owners:</source>
        <translation>Właściciele:</translation>
    </message>
    <message>
        <source>Copy id</source>
        <translation>Kopiuj identyfikator</translation>
    </message>
    <message>
        <source>Parcel sheet PDF…</source>
        <translation>Karta działki PDF…</translation>
    </message>
    <message>
        <source>Show owners and land register</source>
        <translation>Pokaż właścicieli i księgę wieczystą</translation>
    </message>
    <message>
        <source>Check online (ULDK)</source>
        <translation>Sprawdź w ULDK</translation>
    </message>
    <message>
        <source>Save ULDK data locally</source>
        <translation>Zapisz dane z ULDK lokalnie</translation>
    </message>
    <message>
        <source>X, Y (PL-1992): —</source>
        <translation>X, Y (PL-1992): —</translation>
    </message>
    <message>
        <source>Use “Check online” to ask ULDK.</source>
        <translation>Użyj „Sprawdź w ULDK”, aby zapytać usługę krajową.</translation>
    </message>
    <message>
        <source>{0} parcels match; choose one.</source>
        <translation>Pasujących działek: {0}; wybierz jedną.</translation>
    </message>
    <message>
        <source>Only the first ones are listed; type more.</source>
        <translation>Pokazano tylko pierwsze; wpisz więcej.</translation>
    </message>
    <message>
        <source>{0} of record, {1} from the geometry</source>
        <translation>{0} ewidencyjnie, {1} z geometrii</translation>
    </message>
    <message>
        <source>stored (shown on request, logged)</source>
        <translation>zapisane (pokazywane na żądanie, z odnotowaniem w dzienniku)</translation>
    </message>
    <message>
        <source>No parcel at this point in the local store.</source>
        <translation>W lokalnej bazie nie ma działki w tym punkcie.</translation>
    </message>
    <message>
        <source>X {0}  Y {1} (PL-1992)</source>
        <translation>X {0}  Y {1} (PL-1992)</translation>
    </message>
    <message>
        <source>Id copied.</source>
        <translation>Skopiowano identyfikator.</translation>
    </message>
    <message>
        <source>Save parcel sheet</source>
        <translation>Zapisz kartę działki</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Cannot write {0}: {1}</source>
        <translation>Nie można zapisać {0}: {1}</translation>
    </message>
    <message>
        <source>Parcel sheet saved: {0}</source>
        <translation>Zapisano kartę działki: {0}</translation>
    </message>
    <message>
        <source>register unit {0}</source>
        <translation>jednostka rejestrowa {0}</translation>
    </message>
    <message>
        <source>land register {0}</source>
        <translation>księga wieczysta {0}</translation>
    </message>
    <message>
        <source>none stored</source>
        <translation>brak w bazie</translation>
    </message>
    <message>
        <source>Asking ULDK…</source>
        <translation>Pytam ULDK…</translation>
    </message>
    <message>
        <source>ULDK check failed: {0}</source>
        <translation>Sprawdzenie w ULDK nie powiodło się: {0}</translation>
    </message>
    <message>
        <source>Saved from ULDK into the local store.</source>
        <translation>Zapisano dane z ULDK w lokalnej bazie.</translation>
    </message>
</context>
<context>
    <name>ParcelsPage</name>
    <message>
        <source>Parcels</source>
        <translation>Działki</translation>
    </message>
</context>
<context>
    <name>PdfPreview</name>
    <message>
        <source>Page {0} of {1}</source>
        <translation>Strona {0} z {1}</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>Drukuj</translation>
    </message>
    <message>
        <source>Previous page</source>
        <translation>Poprzednia strona</translation>
    </message>
    <message>
        <source>Next page</source>
        <translation>Następna strona</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Powiększ</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Pomniejsz</translation>
    </message>
    <message>
        <source>Fit to width</source>
        <translation>Dopasuj do szerokości</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>Drukuj…</translation>
    </message>
</context>
<context>
    <name>PdfPreviewDialog</name>
    <message>
        <source>Print preview – {0}</source>
        <translation>Podgląd wydruku – {0}</translation>
    </message>
</context>
<context>
    <name>RegisterPage</name>
    <message>
        <source>Register</source>
        <translation>Rejestr</translation>
    </message>
    <message>
        <source>New entry (Ctrl+N)</source>
        <translation>Nowy wpis (Ctrl+N)</translation>
    </message>
    <message>
        <source>Search: number, title, sender… (Ctrl+F)</source>
        <translation>Szukaj: numer, tytuł, nadawca… (Ctrl+F)</translation>
    </message>
    <message>
        <source>Save view</source>
        <translation>Zapisz widok</translation>
    </message>
    <message>
        <source>Delete view</source>
        <translation>Usuń widok</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Eksport</translation>
    </message>
    <message>
        <source>Register:</source>
        <translation>Rejestr:</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>Od:</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>Do:</translation>
    </message>
    <message>
        <source>Channel:</source>
        <translation>Kanał:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Stan:</translation>
    </message>
    <message>
        <source>Unit:</source>
        <translation>Komórka:</translation>
    </message>
    <message>
        <source>Handler:</source>
        <translation>Pracownik:</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Po terminie</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>Wymaga uwagi</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Wyczyść filtry</translation>
    </message>
    <message>
        <source>Both</source>
        <translation>Oba</translation>
    </message>
    <message>
        <source>all</source>
        <translation>wszystkie</translation>
    </message>
    <message numerus="yes">
        <source>%n entries</source>
        <translation>
            <numerusform>%n wpis</numerusform>
            <numerusform>%n wpisy</numerusform>
            <numerusform>%n wpisów</numerusform>
        </translation>
    </message>
    <message>
        <source>Counting entries…</source>
        <translation>Liczenie wpisów…</translation>
    </message>
    <message>
        <source>Saved views…</source>
        <translation>Zapisane widoki…</translation>
    </message>
    <message>
        <source>View name:</source>
        <translation>Nazwa widoku:</translation>
    </message>
    <message>
        <source>Export the register</source>
        <translation>Eksport rejestru</translation>
    </message>
    <message>
        <source>Exporting the register…</source>
        <translation>Eksport rejestru…</translation>
    </message>
    <message>
        <source>Export cancelled.</source>
        <translation>Eksport anulowano.</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n entries to {0}</source>
        <translation>
            <numerusform>Wyeksportowano %n wpis do {0}</numerusform>
            <numerusform>Wyeksportowano %n wpisy do {0}</numerusform>
            <numerusform>Wyeksportowano %n wpisów do {0}</numerusform>
        </translation>
    </message>
    <message>
        <source>Registration is not available yet.</source>
        <translation>Rejestracja nie jest jeszcze dostępna.</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>All units</source>
        <translation>Wszystkie komórki</translation>
    </message>
    <message>
        <source>Preparing the report…</source>
        <translation>Przygotowuję raport…</translation>
    </message>
    <message>
        <source>Ready: {0} – {1}, rows: {2}.</source>
        <translation>Gotowe: {0} – {1}, wierszy: {2}.</translation>
    </message>
    <message>
        <source>The preview shows the first {0}.</source>
        <translation>Podgląd pokazuje pierwsze {0}.</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Grupa</translation>
    </message>
    <message>
        <source>Saving the report…</source>
        <translation>Zapisuję raport…</translation>
    </message>
    <message>
        <source>Saved: {0}</source>
        <translation>Zapisano: {0}</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>Dokument PDF (*.pdf)</translation>
    </message>
    <message>
        <source>CSV for Excel (*.csv)</source>
        <translation>CSV dla Excela (*.csv)</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Skoroszyt Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>Save the report</source>
        <translation>Zapisz raport</translation>
    </message>
    <message>
        <source>Preparing the print preview…</source>
        <translation>Przygotowanie podglądu wydruku…</translation>
    </message>
    <message>
        <source>The PDF cannot be shown: {0}</source>
        <translation>Nie można wyświetlić pliku PDF: {0}</translation>
    </message>
    <message>
        <source>Print preview: {0} – pages: {1}.</source>
        <translation>Podgląd wydruku: {0} – stron: {1}.</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Raporty</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>Okres:</translation>
    </message>
    <message>
        <source>Unit:</source>
        <translation>Komórka:</translation>
    </message>
    <message>
        <source>Year:</source>
        <translation>Rok:</translation>
    </message>
    <message>
        <source>JRWA symbol:</source>
        <translation>Symbol JRWA:</translation>
    </message>
    <message>
        <source>Case sign:</source>
        <translation>Znak sprawy:</translation>
    </message>
    <message>
        <source>Deadlines as of:</source>
        <translation>Terminy na dzień:</translation>
    </message>
    <message>
        <source>e.g. 6727; complaints: 0150,0152</source>
        <translation>np. 6727; skargi: 0150,0152</translation>
    </message>
    <message>
        <source>Prepare report</source>
        <translation>Przygotuj raport</translation>
    </message>
    <message>
        <source>Open PDF</source>
        <translation>Otwórz PDF</translation>
    </message>
    <message>
        <source>Preview and print…</source>
        <translation>Podgląd i drukowanie…</translation>
    </message>
    <message>
        <source>Save PDF…</source>
        <translation>Zapisz PDF…</translation>
    </message>
    <message>
        <source>Save CSV…</source>
        <translation>Zapisz CSV…</translation>
    </message>
    <message>
        <source>Save XLSX…</source>
        <translation>Zapisz XLSX…</translation>
    </message>
</context>
<context>
    <name>RestoreAtStart</name>
    <message>
        <source>Kancelaria is already open. Close it, then open the backup again.</source>
        <translation>Kancelaria jest już otwarta. Zamknij ją, a potem ponownie otwórz plik kopii.</translation>
    </message>
    <message>
        <source>Backup files restore the database on this computer. This installation works on the office server: the administrator restores it with pg_restore.</source>
        <translation>Pliki kopii zapasowych przywracają bazę danych na tym komputerze. Ta instalacja pracuje na serwerze urzędu: administrator przywraca go poleceniem pg_restore.</translation>
    </message>
</context>
<context>
    <name>RestoreDialog</name>
    <message>
        <source>Restore from a backup</source>
        <translation>Przywracanie z kopii zapasowej</translation>
    </message>
    <message>
        <source>You opened a backup of Kancelaria. Restoring it replaces the data on this computer with the data in the backup.</source>
        <translation>Otwarto kopię zapasową Kancelarii. Przywrócenie zastąpi dane na tym komputerze danymi z kopii.</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Plik:</translation>
    </message>
    <message>
        <source>Made on:</source>
        <translation>Data wykonania:</translation>
    </message>
    <message>
        <source>Office:</source>
        <translation>Urząd:</translation>
    </message>
    <message>
        <source>Program version:</source>
        <translation>Wersja programu:</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>Baza danych:</translation>
    </message>
    <message>
        <source>Attachments:</source>
        <translation>Załączniki:</translation>
    </message>
    <message>
        <source>Archive size:</source>
        <translation>Rozmiar archiwum:</translation>
    </message>
    <message>
        <source>Checking the backup…</source>
        <translation>Sprawdzanie kopii…</translation>
    </message>
    <message>
        <source>Before restoring, the current data are backed up to {0}; nothing is deleted.</source>
        <translation>Przed przywróceniem obecne dane zostaną zapisane w kopii w folderze {0}; nic nie zostanie usunięte.</translation>
    </message>
    <message>
        <source>Restore this backup</source>
        <translation>Przywróć tę kopię</translation>
    </message>
    <message>
        <source>(not set up)</source>
        <translation>(nie skonfigurowano)</translation>
    </message>
    <message>
        <source>{0} files, {1}</source>
        <translation>plików: {0}, {1}</translation>
    </message>
    <message>
        <source>This backup was made by a newer version of Kancelaria. Install that version first, then open the backup again.</source>
        <translation>Tę kopię wykonała nowsza wersja Kancelarii. Najpierw zainstaluj tę wersję, a potem ponownie otwórz kopię.</translation>
    </message>
    <message>
        <source>Verified: every file matches its checksum and the database is intact.</source>
        <translation>Sprawdzono: każdy plik zgadza się z sumą kontrolną, baza danych jest nieuszkodzona.</translation>
    </message>
    <message>
        <source>This backup cannot be restored: {0}</source>
        <translation>Tej kopii nie można przywrócić: {0}</translation>
    </message>
    <message>
        <source>Backing up the current data, then restoring…</source>
        <translation>Zapisywanie kopii obecnych danych, potem przywracanie…</translation>
    </message>
    <message>
        <source>The restore failed; the current data were left as they were. {0}</source>
        <translation>Przywracanie nie powiodło się; obecne dane pozostały bez zmian. {0}</translation>
    </message>
    <message>
        <source>Restored the backup of {0}.</source>
        <translation>Przywrócono kopię z {0}.</translation>
    </message>
    <message>
        <source>Restored the backup of {0}. The data from before are in {1}.</source>
        <translation>Przywrócono kopię z {0}. Wcześniejsze dane są w kopii {1}.</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>Ustawienia</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Język:</translation>
    </message>
    <message>
        <source>Data folder:</source>
        <translation>Folder danych:</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>Baza danych:</translation>
    </message>
    <message>
        <source>Log file:</source>
        <translation>Plik dziennika:</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in – Kancelaria</source>
        <translation>Logowanie – Kancelaria</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>Baza danych:</translation>
    </message>
    <message>
        <source>Login:</source>
        <translation>Login:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Hasło:</translation>
    </message>
</context>
<context>
    <name>TemplateEditorDialog</name>
    <message>
        <source>Office copy, version {0} ({1}, {2})</source>
        <translation>Kopia urzędu, wersja {0} ({1}, {2})</translation>
    </message>
    <message>
        <source>The shipped default is in use.</source>
        <translation>Używany jest szablon wbudowany.</translation>
    </message>
    <message>
        <source>back to the shipped default</source>
        <translation>przywrócono szablon wbudowany</translation>
    </message>
    <message>
        <source>The preview failed; see the log.</source>
        <translation>Podgląd się nie powiódł; szczegóły w dzienniku.</translation>
    </message>
    <message>
        <source>Saving the template…</source>
        <translation>Zapisywanie szablonu…</translation>
    </message>
    <message>
        <source>Restoring the shipped template…</source>
        <translation>Przywracanie szablonu wbudowanego…</translation>
    </message>
    <message>
        <source>Letter template</source>
        <translation>Szablon pisma</translation>
    </message>
    <message>
        <source>Double-click inserts a placeholder:</source>
        <translation>Dwukrotne kliknięcie wstawia pole:</translation>
    </message>
    <message>
        <source>Placeholders</source>
        <translation>Pola</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>Wersje</translation>
    </message>
    <message>
        <source>Load this version into the editor</source>
        <translation>Wczytaj tę wersję do edytora</translation>
    </message>
    <message>
        <source>What changed (optional)</source>
        <translation>Co zmieniono (opcjonalnie)</translation>
    </message>
    <message>
        <source>Restore the shipped template</source>
        <translation>Przywróć szablon wbudowany</translation>
    </message>
    <message>
        <source>Save office copy</source>
        <translation>Zapisz kopię urzędu</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Zamknij</translation>
    </message>
</context>
<context>
    <name>UnitsPage</name>
    <message>
        <source>Organisational units</source>
        <translation>Komórki organizacyjne</translation>
    </message>
    <message>
        <source>Each unit&apos;s symbol starts its case signs, e.g. UA in UA.6730.12.2026; a sub-unit is joined with a hyphen (GK-A).</source>
        <translation>Symbol komórki rozpoczyna znaki jej spraw, np. UA w UA.6730.12.2026; podkomórkę dołącza się łącznikiem (GK-A).</translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation>Symbol</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nazwa</translation>
    </message>
    <message>
        <source>Add unit</source>
        <translation>Dodaj komórkę</translation>
    </message>
    <message>
        <source>Remove unit</source>
        <translation>Usuń komórkę</translation>
    </message>
</context>
</TS>
