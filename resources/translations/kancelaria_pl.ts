<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pl_PL">
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
</TS>
