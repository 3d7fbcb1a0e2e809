<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CashierWindow</name>
    <message>
        <location filename="../../ui/cashier/window.py" line="191"/>
        <source>Only the owner can open this screen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="200"/>
        <source>Sign in before scanning.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="244"/>
        <source>nobody</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="245"/>
        <source>Signed in: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="248"/>
        <source>No open shift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="257"/>
        <source>Shift: %1 since %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="260"/>
        <source>Sync: no hub configured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="262"/>
        <source>Waiting to sync: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="263"/>
        <source>Devices: none configured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="266"/>
        <source>No Chinese font installed (fonts-noto-cjk): Chinese shows as boxes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="270"/>
        <source>storebox — till</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="271"/>
        <source>Lock (F12)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="273"/>
        <source>Locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="275"/>
        <source>owner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="275"/>
        <source>cashier</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OwnerPinDialog</name>
    <message>
        <location filename="../../ui/cashier/signin.py" line="115"/>
        <source>Owner approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="128"/>
        <source>Cancel (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="136"/>
        <source>This shop has no owner account.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../ui/cashier/settings_page.py" line="39"/>
        <location filename="../../ui/cashier/settings_page.py" line="53"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/settings_page.py" line="50"/>
        <source>That translation is missing; run ./dev to build it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/settings_page.py" line="54"/>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../../ui/cashier/signin.py" line="66"/>
        <source>Sign in: choose your name and enter your PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="67"/>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="101"/>
        <source>Choose your name first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ops</name>
    <message>
        <location filename="../../ui/ops.py" line="91"/>
        <source>Something went wrong inside storebox; it has been logged. Nothing was changed.</source>
        <extracomment>number of operations waiting or running; tests wait for it to reach 0</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
