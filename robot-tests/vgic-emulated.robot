*** Settings ***
Documentation     Guests under the VGIC host model (vgic-host/): unmodified firmware whose GIC accesses are trapped and
...               emulated (virtual GICD/GICR/ITS) while its ICC_* accesses reach the virtual CPU interface, in GICv3
...               emulated injection (list registers) and GICv4.0 direct injection, with one vCPU per core or several
...               sharing one, and two guests (domains) side by side. The lines are the samples' own, as on a bare GIC (firmware-samples/expected/*.el1.txt).
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0
${SPI}            @firmware-samples/build/spi.bin
${LPI}            @firmware-samples/build/lpi-its.bin
${SGI}            @firmware-samples/build/sgi-ipi.bin
${LPI2}           @firmware-samples/build/lpi-its-d2.bin
${VSGI}           @firmware-samples/build/vsgi-guest.bin

*** Keywords ***
Create Guest
    [Arguments]    ${mode}    ${wfi}    ${image}
    Execute Command           vgic-guest --mode ${mode} --wfi ${wfi} ${image}
    Create Terminal Tester    ${UART}    timeout=5

*** Test Cases ***
Should Inject SPIs Through List Registers
    Create Guest              v3    trap    ${SPI}
    Start Emulation
    Wait For Line On Uart     sample: spi
    Wait For Line On Uart     irq: intid 40 on cpu0 group 1
    Wait For Line On Uart     order: 43 (rpr 0x80) then 42 (rpr 0xa0)
    Wait For Line On Uart     fiq: intid 46 group 0 rpr 0x80
    Wait For Line On Uart     PASS

Should Translate The Guest ITS To Physical LPIs In GICv3 Mode
    Create Guest              v3    trap    ${LPI}
    Start Emulation
    Wait For Line On Uart     gits_ctlr.enabled: 1
    Wait For Line On Uart     translater event 0: intid 8192 rpr 0xa0
    Wait For Line On Uart     order: 8193 8194 8192
    Wait For Line On Uart     int device 5 event 3: intid 8300
    Wait For Line On Uart     cpu0 lpis: 6, cpu1 lpis: 2
    Wait For Line On Uart     PASS

Should Inject LPIs Directly In GICv4 Mode
    Create Guest              v4.0    native    ${LPI}
    Start Emulation
    Wait For Line On Uart     translater event 0: intid 8192 rpr 0xa0
    Wait For Line On Uart     re-enabled: intid 8192 rpr 0x50
    Wait For Line On Uart     cpu1 after movi: intid 8195
    Wait For Line On Uart     PASS

Should Emulate Guest SGIs With vCPUs Sharing One Core
    # Two vCPUs on one physical CPU: every ping and pong is a trapped ICC_SGI1R_EL1 write and a world switch.
    Execute Command           vgic-guest --mode v3 --wfi trap --smp 1 --vcpus 2 ${SGI}
    Create Terminal Tester    ${UART}    timeout=5
    Start Emulation
    Wait For Line On Uart     self sgi: intid 3 on cpu0
    Wait For Line On Uart     cpu1: el 1 context 0x5a5a0001 gicr frame 1
    Wait For Line On Uart     first ping: intid 5 on cpu1
    Wait For Line On Uart     first pong: intid 6 on cpu0
    Wait For Line On Uart     round trips: 1000
    Wait For Line On Uart     affinity_info(cpu1) after cpu_off: 1 (OFF)
    Wait For Line On Uart     PASS

Should Run Two Domains Side By Side
    # Two guests on two cores, each with its own virtual GIC, ITS and UART at the same guest-physical addresses:
    # sgi-ipi in the first, lpi-its (linked at 0x48080000) in the second. Each UART shows only its own guest.
    Execute Command           vgic-guest --mode v4.0 --wfi trap --smp 2 --vcpus 2 ${SGI} --domain ${LPI2} 0x48080000
    ${first}=                 Create Terminal Tester    sysbus.uart0    timeout=10
    ${second}=                Create Terminal Tester    sysbus.uart1    timeout=10
    Start Emulation
    Wait For Line On Uart     sample: lpi-its                  testerId=${second}
    Wait For Line On Uart     sample: sgi-ipi                  testerId=${first}
    Wait For Line On Uart     round trips: 1000                testerId=${first}
    Wait For Line On Uart     translater event 0: intid 8192 rpr 0xa0    testerId=${second}
    Wait For Line On Uart     cpu0 lpis: 6, cpu1 lpis: 2       testerId=${second}
    Wait For Line On Uart     PASS                             testerId=${second}
    Wait For Line On Uart     PASS                             testerId=${first}

Should Hand Guest SGIs To The GIC As GICv4.1 vSGIs
    # The guest sets GICD_CTLR.nASSGIreq: its SGIs have no active state and reach it through GITS_SGIR.
    Execute Command           vgic-guest --mode v4.1 --wfi trap --smp 2 ${VSGI}
    Create Terminal Tester    ${UART}    timeout=5
    Start Emulation
    Wait For Line On Uart     gicd_typer2.nassgicap: 1
    Wait For Line On Uart     gicd_ctlr.nassgireq: 1
    Wait For Line On Uart     self sgi in its handler: active 0 pending 0
    Wait For Line On Uart     disabled sgi: pending 1 taken 0
    Wait For Line On Uart     round trips: 200, cpu1 pings: 200
    Wait For Line On Uart     PASS

Should Reject A Second Domain That Overlaps The First
    Run Keyword And Expect Error    *overlap*    Execute Command    vgic-guest --smp 2 ${SGI} --domain ${LPI2} 0x40080000

Should Reject More vCPUs Than The Model Supports
    Run Keyword And Expect Error    *--vcpus takes 1 to 16*    Execute Command    vgic-guest --vcpus 17 ${SGI}

Should Reject An Unknown Injection Mode
    Run Keyword And Expect Error    *v3, v4.0 or v4.1*    Execute Command    vgic-guest --mode v9 ${SPI}
